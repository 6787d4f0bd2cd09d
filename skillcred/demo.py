"""``skillcred demo``: the demo world on one local port — issuers, verifier (the scan page at ``/``) and
the workers' wallets — with the URLs to open printed on start.

The apps meet only here (ARCHITECTURE.md: ``issuer``, ``verifier`` and ``wallet_demo`` never import each
other); each keeps its own routes under its own prefix.
"""

from __future__ import annotations

import shutil
import signal
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route

from issuer.app import create_app as issuer_app
from skillcred.world import COMMANDS_FILE, ISSUERS, DemoWorld, build_world
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


def reserve_port(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a :class:`click.ClickException` saying the port is taken:
    checked before anything is seeded, and handed to uvicorn (no other process can take it in between)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as err:
        raise click.ClickException(f"--host {host}: {err.strerror or err} / 无法使用该地址") from err
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise click.ClickException(
            f"端口 {port} 已被占用或不可用（{host}）：请用 --port 换一个端口。 "
            f"Port {port} on {host} is in use or not available ({err.strerror or err}): "
            "is another demo or service running there? Choose another --port. Nothing was seeded."
        ) from err
    return sock


def _reach_hint(host: str, port: int, base_url: str | None) -> str | None:
    if base_url is None and host in ("0.0.0.0", "::"):
        return (
            "监听所有网络接口，但上面的地址写的是 localhost，手机无法打开：请用本机在局域网中的地址重新启动，"
            f"例如 --base-url http://192.168.1.20:{port}（地址可用 hostname -I 查看）。\n"
            "Listening on all interfaces, but the URLs above say localhost, which a phone cannot open: start again "
            f"with --base-url http://<this computer's address on the network>:{port} (e.g. from hostname -I), "
            "so that the printed URLs and the wallets' QR codes point to it."
        )
    return None


def _exit_on_sigterm() -> Any:
    """SIGTERM ends the demo like Ctrl-C does, through its ``finally`` (uvicorn re-raises the signal it caught
    after shutting down; the default action would kill the process before the temporary world is removed)."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, stop)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听的网络接口。 Interface to listen on.")
@click.option(
    "--port", default=8400, show_default=True, type=click.IntRange(1, 65535), help="监听端口。 Port to listen on."
)
@click.option(
    "--base-url",
    help="手机等其他设备访问本演示的地址（写入打印的链接与二维码），如 http://192.168.1.20:8400。 "
    "The URL other devices (a phone on the same network) reach the demo at; the printed URLs and the URLs "
    "embedded in credentials and QR codes come from it. Default: http://localhost:PORT.",
)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="演示数据目录（默认：临时目录，退出时删除）。 Where to create the demo world (default: a temporary "
    "directory, removed on exit).",
)
@click.option(
    "--seed-only",
    is_flag=True,
    help="只生成演示数据、打印地址后退出（需 --home）。 Create the world in --home, print the URLs and exit.",
)
@click.pass_context
def demo_command(
    ctx: click.Context, host: str, port: int, base_url: str | None, home: Path | None, seed_only: bool
) -> None:
    """启动演示环境：签发机构、验证页与钱包在同一端口。 Seed a demo world and serve issuers, verifier and wallets
    on one port; it also writes trust-pack.json, root-did.txt and commands.txt (offline checks) into its home."""
    if seed_only and home is None:
        raise click.UsageError("--seed-only needs --home DIR (a temporary world is removed on exit)")
    if home is not None and (home / "issuers").exists():
        raise click.ClickException(f"{home} already holds a demo world; give another --home")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise click.BadParameter(f"{base_url!r} is not http(s)://HOST[:PORT]", param_hint="--base-url")
    sock = None if seed_only else reserve_port(host, port)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    base = (base_url or f"http://{shown}:{port}").rstrip("/")
    root = home or Path(tempfile.mkdtemp(prefix="skillcred-demo-"))
    world = None
    previous = _exit_on_sigterm()
    try:
        click.echo(f"seeding the demo world in {root} … / 正在生成演示数据 …", err=True)
        world = build_world(root, base_url=base, clock=runtime_clock(ctx))
        click.echo("skillcred demo — open these / 请打开：")
        for label, url in demo_urls(world):
            click.echo(f"  {label}\n    {url}")
        click.echo(f"离线核验命令 / offline checks: sh {root / COMMANDS_FILE}")
        hint = _reach_hint(host, port, base_url)
        if hint:
            click.echo(hint, err=True)
        if home is None:
            click.echo(
                "临时演示数据，退出时删除。 A temporary world: removed on exit (give --home to keep one).", err=True
            )
        click.echo("Demo data only: fictional people (samples.md), demo keys. / 仅供演示：虚构人员与演示密钥。")
        if sock is None:
            return
        import uvicorn

        server = uvicorn.Server(uvicorn.Config(create_demo_app(world), log_level="warning"))
        server.run(sockets=[sock])
    finally:
        if sock is not None:
            sock.close()
        if world is not None:
            world.close()
        if home is None:
            shutil.rmtree(root, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
