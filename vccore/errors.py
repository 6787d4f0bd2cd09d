"""Problem codes and the exception hierarchy.

Every code the project emits is listed here, once. Codes named in the specs keep the spec's
spelling (VC Data Integrity 1.0 section 3 "Processing Errors", Bitstring Status List 1.0 section
3.5, VC Data Model 2.0 section 7.1); the rest are skillcred's own.

Signing raises a :class:`SkillcredError`; verifying never raises for bad input and reports the same
codes as :class:`vccore.result.Problem` values instead (ARCHITECTURE.md, "Errors").
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    # --- from the specifications -------------------------------------------------------------
    PARSING_ERROR = "PARSING_ERROR"
    MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"
    RANGE_ERROR = "RANGE_ERROR"
    CRYPTOGRAPHIC_SECURITY_ERROR = "CRYPTOGRAPHIC_SECURITY_ERROR"
    PROOF_GENERATION_ERROR = "PROOF_GENERATION_ERROR"
    PROOF_VERIFICATION_ERROR = "PROOF_VERIFICATION_ERROR"
    PROOF_TRANSFORMATION_ERROR = "PROOF_TRANSFORMATION_ERROR"
    MALFORMED_PROOF_ERROR = "MALFORMED_PROOF_ERROR"
    DATA_LOSS_DETECTION_ERROR = "DATA_LOSS_DETECTION_ERROR"
    INVALID_DOMAIN_ERROR = "INVALID_DOMAIN_ERROR"
    INVALID_CHALLENGE_ERROR = "INVALID_CHALLENGE_ERROR"
    INVALID_VERIFICATION_METHOD = "INVALID_VERIFICATION_METHOD"
    INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD = "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID = "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID"
    STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
    STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
    STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
    # --- skillcred's own ---------------------------------------------------------------------
    CONTEXT_NOT_ALLOWED = "CONTEXT_NOT_ALLOWED"
    RESOURCE_LIMIT_EXCEEDED = "RESOURCE_LIMIT_EXCEEDED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    PROOF_EXPIRED = "PROOF_EXPIRED"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    UNTRUSTED_ISSUER = "UNTRUSTED_ISSUER"
    ISSUER_KEY_MISMATCH = "ISSUER_KEY_MISMATCH"
    SCHEMA_VALIDATION_ERROR = "SCHEMA_VALIDATION_ERROR"
    DID_RESOLUTION_ERROR = "DID_RESOLUTION_ERROR"
    FETCH_NOT_ALLOWED = "FETCH_NOT_ALLOWED"
    KEY_ERROR = "KEY_ERROR"
    CONFLICT = "CONFLICT"
    NOT_FOUND = "NOT_FOUND"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    STORE_BUSY = "STORE_BUSY"
    PERSONAL_DATA_ERROR = "PERSONAL_DATA_ERROR"
    QR_TOO_LARGE = "QR_TOO_LARGE"
    RULE_NOT_SATISFIED = "RULE_NOT_SATISFIED"
    RULE_ERROR = "RULE_ERROR"
    # recognition chains (issue 4)
    CHAIN_SOURCE_MISSING = "CHAIN_SOURCE_MISSING"
    CHAIN_SOURCE_INVALID = "CHAIN_SOURCE_INVALID"
    CHAIN_DIGEST_MISMATCH = "CHAIN_DIGEST_MISMATCH"
    CHAIN_SUBJECT_MISMATCH = "CHAIN_SUBJECT_MISMATCH"
    CHAIN_RULE_MISSING = "CHAIN_RULE_MISSING"
    CHAIN_RULE_INVALID = "CHAIN_RULE_INVALID"
    CHAIN_RULE_UNTRUSTED = "CHAIN_RULE_UNTRUSTED"
    CHAIN_RULE_NOT_IN_FORCE = "CHAIN_RULE_NOT_IN_FORCE"
    CHAIN_RULE_NOT_SATISFIED = "CHAIN_RULE_NOT_SATISFIED"
    CHAIN_CLAIM_MISMATCH = "CHAIN_CLAIM_MISMATCH"
    CHAIN_SOURCE_UNTRUSTED = "CHAIN_SOURCE_UNTRUSTED"
    CHAIN_SOURCE_STATUS = "CHAIN_SOURCE_STATUS"
    CHAIN_CYCLE = "CHAIN_CYCLE"
    CHAIN_TOO_DEEP = "CHAIN_TOO_DEEP"
    CHAIN_NOT_CHECKED = "CHAIN_NOT_CHECKED"
    HOLDER_MISMATCH = "HOLDER_MISMATCH"
    NOTHING_PRESENTED = "NOTHING_PRESENTED"
    # one reading (issue 12): a document spelled otherwise than the one compact form of its contexts
    NOT_COMPACT_FORM = "NOT_COMPACT_FORM"


#: Short English and Chinese titles, used by the CLI and the pages.
TITLES: dict[Code, tuple[str, str]] = {
    Code.PARSING_ERROR: ("The input could not be parsed", "无法解析输入"),
    Code.MALFORMED_VALUE_ERROR: ("A value is malformed", "数据格式错误"),
    Code.RANGE_ERROR: ("A value is out of range", "数值超出范围"),
    Code.CRYPTOGRAPHIC_SECURITY_ERROR: ("Cryptographic check failed", "密码学安全检查未通过"),
    Code.PROOF_GENERATION_ERROR: ("The proof could not be created", "无法生成证明"),
    Code.PROOF_VERIFICATION_ERROR: ("The signature does not verify", "签名验证失败"),
    Code.PROOF_TRANSFORMATION_ERROR: ("The proof cannot be processed", "无法处理证明"),
    Code.MALFORMED_PROOF_ERROR: ("The proof is malformed", "证明格式错误"),
    Code.ISSUER_KEY_MISMATCH: ("The signing key is not the issuer's", "签名密钥不属于签发机构"),
    Code.DATA_LOSS_DETECTION_ERROR: ("Data would not be covered by the signature", "部分数据不受签名保护"),
    Code.INVALID_DOMAIN_ERROR: ("Wrong domain", "域不匹配"),
    Code.INVALID_CHALLENGE_ERROR: ("Wrong or reused challenge", "挑战值错误或已被使用"),
    Code.INVALID_VERIFICATION_METHOD: ("Unknown or invalid signing key", "签名密钥无效或未知"),
    Code.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD: (
        "The key is not authorized for this purpose",
        "该密钥未获授权用于此用途",
    ),
    Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID: (
        "The key's controller document does not match",
        "密钥控制者文档不匹配",
    ),
    Code.STATUS_RETRIEVAL_ERROR: ("Status could not be checked", "无法查询状态"),
    Code.STATUS_VERIFICATION_ERROR: ("The status list is not valid", "状态列表无效"),
    Code.STATUS_LIST_LENGTH_ERROR: ("The status list is too short", "状态列表长度不足"),
    Code.CONTEXT_NOT_ALLOWED: ("A context is not allowed", "不允许的上下文"),
    Code.RESOURCE_LIMIT_EXCEEDED: ("The input is too large or too complex", "输入过大或过于复杂"),
    Code.EXPIRED: ("The credential has expired", "凭证已过期"),
    Code.NOT_YET_VALID: ("The credential is not yet valid", "凭证尚未生效"),
    Code.PROOF_EXPIRED: ("The proof has expired", "证明已过期"),
    Code.REVOKED: ("The credential has been revoked", "凭证已被撤销"),
    Code.SUSPENDED: ("The credential is suspended", "凭证已被暂停"),
    Code.UNTRUSTED_ISSUER: ("The issuer is not trusted for this", "签发机构未获信任"),
    Code.SCHEMA_VALIDATION_ERROR: ("The credential does not match its schema", "凭证不符合其数据规范"),
    Code.DID_RESOLUTION_ERROR: ("The identifier could not be resolved", "无法解析标识符"),
    Code.FETCH_NOT_ALLOWED: ("Fetching that address is not allowed", "不允许访问该地址"),
    Code.KEY_ERROR: ("Key problem", "密钥错误"),
    Code.CONFLICT: ("Conflicts with the current state", "与当前状态冲突"),
    Code.NOT_FOUND: ("Not found", "未找到"),
    Code.NOT_ACCEPTABLE: ("None of the requested media types can be served", "无法提供所请求的媒体类型"),
    Code.UNAUTHORIZED: ("Authentication required", "需要身份验证"),
    Code.FORBIDDEN: ("Not allowed for this token", "该令牌无此权限"),
    Code.STORE_BUSY: ("The registry is busy, try again", "登记库繁忙，请稍后重试"),
    Code.PERSONAL_DATA_ERROR: ("Personal data must not appear in clear", "个人敏感信息不得明文出现"),
    Code.QR_TOO_LARGE: ("Too large for a reliable QR code", "内容过大，无法生成可靠的二维码"),
    Code.RULE_NOT_SATISFIED: ("The recognition rule does not hold", "不满足认定规则"),
    Code.RULE_ERROR: ("The recognition rule is invalid", "认定规则无效"),
    Code.CHAIN_SOURCE_MISSING: ("A source credential is missing", "缺少依据凭证"),
    Code.CHAIN_SOURCE_INVALID: ("A source credential does not verify", "依据凭证验证未通过"),
    Code.CHAIN_DIGEST_MISMATCH: ("A source does not match its digest", "依据凭证摘要不匹配"),
    Code.CHAIN_SUBJECT_MISMATCH: ("Sources are about a different person", "依据凭证持有人不一致"),
    Code.CHAIN_RULE_MISSING: ("The rule credential is missing", "缺少规则凭证"),
    Code.CHAIN_RULE_INVALID: ("The rule credential does not verify", "规则凭证验证未通过"),
    Code.CHAIN_RULE_UNTRUSTED: ("The rule's authority is not trusted", "规则发布机关未获信任"),
    Code.CHAIN_RULE_NOT_IN_FORCE: ("The rule was not in force then", "规则在认定日期未生效"),
    Code.CHAIN_RULE_NOT_SATISFIED: ("The rule does not hold on the sources", "依据凭证不满足规则"),
    Code.CHAIN_CLAIM_MISMATCH: ("The recognition claims more than the rule yields", "认定结果与规则不符"),
    Code.CHAIN_SOURCE_UNTRUSTED: ("A source issuer is not trusted", "依据凭证签发机构未获信任"),
    Code.CHAIN_SOURCE_STATUS: ("A source is revoked, suspended or expired", "依据凭证已撤销、暂停或过期"),
    Code.CHAIN_CYCLE: ("The recognition chain has a cycle", "认定链存在循环"),
    Code.CHAIN_TOO_DEEP: ("The recognition chain is too deep", "认定链层级过深"),
    Code.CHAIN_NOT_CHECKED: ("The recognition chain could not be checked", "无法核验认定链"),
    Code.HOLDER_MISMATCH: ("The presenter is not the credential's holder", "出示人不是凭证持有人"),
    Code.NOTHING_PRESENTED: ("The presentation carries no credential", "出示中没有凭证"),
    Code.NOT_COMPACT_FORM: (
        "The document is not written in the one form its contexts define",
        "文档未按其上下文规定的唯一写法书写（可能被改写）",
    ),
}


def title_en(code: Code) -> str:
    return TITLES.get(code, (code.value, code.value))[0]


def title_zh(code: Code) -> str:
    return TITLES.get(code, (code.value, code.value))[1]


class SkillcredError(Exception):
    """Base of every error skillcred raises on purpose. Carries a problem code."""

    code: Code = Code.MALFORMED_VALUE_ERROR
    #: further lines a person should see before the message (one per problem, e.g. a batch's bad rows)
    lines: tuple[str, ...] = ()

    def __init__(self, detail: str, *, code: Code | None = None, pointer: str = "", zh: str = "") -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.detail = detail
        self.pointer = pointer
        #: what is wrong as a short Chinese sentence for a person, shown before ``detail`` where a surface has
        #: room for it (a batch's bad rows); empty when only the code's title (:func:`title_zh`) can say it
        self.zh = zh

    def __str__(self) -> str:
        return f"{self.code.value}: {self.detail}"


class ParseError(SkillcredError):
    code = Code.PARSING_ERROR


class ResourceLimitError(SkillcredError):
    code = Code.RESOURCE_LIMIT_EXCEEDED


class ContextNotAllowedError(SkillcredError):
    code = Code.CONTEXT_NOT_ALLOWED


class DataLossError(SkillcredError):
    code = Code.DATA_LOSS_DETECTION_ERROR


class ProofError(SkillcredError):
    code = Code.PROOF_VERIFICATION_ERROR


class KeyProblem(SkillcredError):
    code = Code.KEY_ERROR


class ResolutionError(SkillcredError):
    code = Code.DID_RESOLUTION_ERROR


class FetchNotAllowed(SkillcredError):
    code = Code.FETCH_NOT_ALLOWED
