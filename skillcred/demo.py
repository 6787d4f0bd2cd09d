"""``skillcred demo``: the demo world on one local port — issuers, verifier (the scan page at ``/``) and
the workers' wallets — with the URLs to open printed on start.

The apps meet only here (ARCHITECTURE.md: ``issuer``, ``verifier`` and ``wallet_demo`` never import each
other); each keeps its own routes under its own prefix.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route

from issuer.app import create_app as issuer_app
from skillcred.world import ISSUERS, DemoWorld, build_world
from vccore.clock import runtime_clock
from verifier.app import create_app as verifier_app
from wallet_demo.app import create_app as wallet_app


def demo_urls(world: DemoWorld) -> list[tuple[str, str]]:
    """(label, URL) pairs: the scan page, each wallet, each issuer's DID document and health."""
    base = world.base_url
    out = [("验证页（雇主扫码）/ Scan page (employer)", f"{base}/")]
    for slug, worker in world.workers.items():
        out.append((f"钱包 {worker.spec.name} / Wallet of {slug.upper()}", f"{base}/wallet/{slug}/"))
    for spec in ISSUERS:
        out.append((f"签发机构 {spec.name_zh} / Issuer {spec.name_en}", f"{base}/issuers/{spec.slug}/health"))
    return out


def _index(world: DemoWorld) -> str:
    items = "".join(f'<li><a href="{url}">{label}</a> <code>{url}</code></li>' for label, url in demo_urls(world))
    return (
        "<!doctype html><html lang=zh><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        "<title>skillcred demo</title><h1>skillcred 演示 / demo</h1><ul>" + items + "</ul></html>"
    )


def create_demo_app(world: DemoWorld) -> Starlette:
    """All three apps under one Starlette app: /issuers/<slug>, /wallet/<slug>, and the verifier at /."""
    page = _index(world)

    def index(request: Request) -> Response:
        return HTMLResponse(page)

    routes: list[Route | Mount] = [Route("/demo", index)]
    for slug, opened in world.issuers.items():
        routes.append(Mount(f"/issuers/{slug}", app=issuer_app(opened.service, world.tokens[slug])))
    for slug, worker in world.workers.items():
        routes.append(
            Mount(
                f"/wallet/{slug}",
                app=wallet_app(
                    worker.wallet, base_url=f"{world.base_url}/wallet/{slug}", scan_url=f"{world.base_url}/"
                ),
            )
        )
    routes.append(Mount("/", app=verifier_app(world.verifier)))
    return Starlette(routes=routes)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。 Interface to listen on.")
@click.option(
    "--port", default=8400, show_default=True, type=click.IntRange(1, 65535), help="监听端口。 Port to listen on."
)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="演示环境的目录（默认新建临时目录）。 Where to create the demo world (default: a new temporary directory).",
)
@click.option(
    "--seed-only", is_flag=True, help="只创建演示环境、输出网址后退出。 Create the world, print the URLs and exit."
)
@click.pass_context
def demo_command(ctx: click.Context, host: str, port: int, home: Path | None, seed_only: bool) -> None:
    """启动演示环境：在一个端口上运行签发机构、验证方和钱包。 Seed a demo world and serve issuer, verifier and wallets
    on one port."""
    root = home or Path(tempfile.mkdtemp(prefix="skillcred-demo-"))
    if (root / "issuers").exists():
        raise click.ClickException(f"{root} already holds a demo world; give another --home")
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    click.echo(f"seeding the demo world in {root} … / 正在生成演示数据 …", err=True)
    world = build_world(root, base_url=base, clock=runtime_clock(ctx))
    click.echo("skillcred demo — open these / 请打开：")
    for label, url in demo_urls(world):
        click.echo(f"  {label}\n    {url}")
    click.echo("Demo data only: fictional people (samples.md), demo keys. / 仅供演示：虚构人员与演示密钥。")
    if seed_only:
        world.close()
        return
    import uvicorn

    try:
        uvicorn.run(create_demo_app(world), host=host, port=port, log_level="warning")
    finally:
        world.close()
