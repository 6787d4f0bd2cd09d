"""The preset DEFLATE dictionary of the ``SC2:`` QR document payload (see :mod:`vccore.qr.payload`).

A preset dictionary (RFC 1950 section 2.2 "FDICT"; here given to raw DEFLATE through zlib's
``zdict``) is text the compressor and the decompressor both pretend came just before the data,
so the first occurrence of a string in a payload can already be a back-reference. skillcred
credentials and presentations repeat the same context URLs, keys, types, enumerated codes and
Chinese labels, so a dictionary of them removes most of the JSON structure from the payload.

**The dictionary is part of the wire format.** Changing a single byte makes every payload
encoded with the old bytes decode to garbage (or fail), so this module is frozen: its SHA-256
(:data:`SHA256`) is asserted by ``tests/vccore/qr/test_qr.py``, and any change needs a new payload
format version in :mod:`vccore.qr.payload`, with the old dictionary kept for decoding the old version.

How it is built: compact JSON fragments (``separators=(",", ":")``, ``ensure_ascii=False``, key
order as :func:`vccore.di.proofs.add_proof` and the issuer write it), joined without separators.
DEFLATE finds matches at any distance up to 32 KiB, but nearer matches cost fewer bits, so the
parts are ordered from the least to the most frequently used: rule-set, trust-list, presentation
and recognition terms first, then the other credential kinds, then the skill-level credential,
and at the very end the envelope, status entries and proof that every document carries.
"""

from __future__ import annotations

import hashlib
from typing import Final

__all__ = ["DICTIONARY", "SHA256"]

_PARTS: Final[tuple[str, ...]] = (
    # -- rarely used: rule-set and trust-list credentials, other proof options ----------------
    '"type":["VerifiableCredential","RecognitionRuleCredential"],'
    '"credentialSubject":{"id":"urn:skillcred:ruleset:","type":"RecognitionRuleSet",'
    '"ruleSetId":"","ruleSetVersion":"","jurisdiction":"","ruleSet":{',
    '"type":["VerifiableCredential","TrustListCredential"],"credentialSubject":{"type":"TrustList","trustList":{',
    '"validUntil":"T23:59:59+08:00","expires":"","previousProof":"urn:uuid:","sourceDigest":"',
    '"issuer":"did:web:","issuer":"did:key:z6Mk","verificationMethod":"did:web:#key-1","description":[{"@value":"',
    '"cryptosuite":"eddsa-jcs-2022",',
    # -- presentations -------------------------------------------------------------------------
    '"type":["VerifiablePresentation"],"holder":"did:key:z6Mk","verifiableCredential":[',
    '"proofPurpose":"authentication","challenge":"","domain":"https://',
    # -- recognition credentials -----------------------------------------------------------------
    '"type":["VerifiableCredential","RecognitionCredential"],'
    '"name":[{"@value":"资格认定凭证","@language":"zh"},'
    '{"@value":"Recognition credential","@language":"en"}],',
    '"credentialSchema":{"id":"https://w3id.org/skillcred/schemas/recognition-v1.json","type":"JsonSchema"},',
    '"recognizedAs":{"type":"RecognitionOutcome","kind":"skill-level","kind":"education",'
    '"kind":"treatment","kind":"title","titleSeries":"工程系列","titleLevel":"intermediate",'
    '"titleName":"工程师","skillLevel":"","educationLevel":"","treatment":""},',
    '"grants":["basis-for-next-level","education-equivalence-for-application","equal-treatment",'
    '"exam-exemption","green-channel","education-equivalent-treatment","deemed-equivalent",'
    '"eligibility-to-apply"],"purposes":["',
    '"jurisdiction":"CN","recognitionRule":"CN-QUAL-ZHUCE-SCHOOL-TO-ASSISTANT-TO-ASSOCIATE-SENIOR'
    '-TO-INTERMEDIATE","ruleVersion":"","ruleConfidence":"inferred","ruleConfidence":"sourced",'
    '"recognitionDate":"","recognizedFrom":["urn:uuid:',
    '"legalBasis":{"type":"LegalBasis","issuingAuthority":"人力资源社会保障部",'
    '"documentName":"关于的意见（试行）","documentNumber":"人社部发〔","documentDate":""}},',
    '"relatedResource":[{"id":"urn:uuid:","digestMultibase":"uEiB"},'
    '{"id":"urn:skillcred:ruleset:","digestMultibase":"uEi"}],',
    '"evidence":[{"type":"RecognitionEvidence","recognitionRule":"CN-","ruleVersion":"",'
    '"ruleConfidence":"sourced","evaluatedOn":"","conditionsMet":{"',
    # -- professional qualification, diploma, degree and title credentials -----------------------
    '"type":["VerifiableCredential","ProfessionalQualificationCredential"],'
    '"name":[{"@value":"职业资格凭证","@language":"zh"},'
    '{"@value":"Professional qualification credential","@language":"en"}],',
    '"qualificationName":"注册","qualificationCategory":"level-evaluation",'
    '"qualificationCategory":"access","qualificationGrade":"","registered":true,'
    '"registrationNumber":"","certificateNumber":"","issueDate":""',
    '"type":["VerifiableCredential","TechnicalSchoolDiplomaCredential"],'
    '"name":[{"@value":"技工院校毕业证书凭证","@language":"zh"},'
    '{"@value":"Technical school diploma credential","@language":"en"}],',
    '"technicalSchoolClass":"intermediate-worker-class","technicalSchoolClass":"advanced-worker-class",'
    '"technicalSchoolClass":"preparatory-technician-class","schoolName":"技师学院","specialty":"",'
    '"certificateNumber":"","graduationDate":""',
    '"type":["VerifiableCredential","DegreeCredential"],'
    '"name":[{"@value":"学历凭证","@language":"zh"},'
    '{"@value":"Education credential","@language":"en"}],',
    '"educationLevel":"zhongzhuan","educationLevel":"dazhuan","educationLevel":"master",'
    '"educationLevel":"doctor","educationLevel":"benke","institutionName":"大学","major":"",'
    '"certificateNumber":"","graduationDate":""',
    '"type":["VerifiableCredential","ProfessionalTitleCredential"],'
    '"name":[{"@value":"专业技术职务任职资格凭证","@language":"zh"},'
    '{"@value":"Professional title credential","@language":"en"}],',
    '"titleSeries":"工程系列","titleSpecialty":"","titleLevel":"yuanji","titleLevel":"assistant",'
    '"titleLevel":"associate-senior","titleLevel":"full-senior","titleLevel":"intermediate",'
    '"titleName":"助理工程师","titleName":"高级工程师","titleName":"正高级工程师","titleName":"工程师",'
    '"acquisitionMethod":"exam","acquisitionMethod":"accreditation",'
    '"acquisitionMethod":"correspondence","acquisitionMethod":"review",'
    '"certificateNumber":"","awardDate":""',
    # -- Chinese labels shared by several kinds ----------------------------------------------------
    "员级助理级中级副高级正高级中专大专本科评审委员会人力资源和社会保障厅"
    "职业资格证书特级技师聘任首席技师学徒工一级/高级技师五级/初级工四级/中级工三级/高级工二级/技师",
    # -- skill-level credentials -------------------------------------------------------------------
    '"type":["VerifiableCredential","SkillLevelCredential"],'
    '"name":[{"@value":"职业技能等级凭证","@language":"zh"},'
    '{"@value":"Skill level credential","@language":"en"}],',
    '"credentialSchema":{"id":"https://w3id.org/skillcred/schemas/skill-level-v1.json","type":"JsonSchema"},',
    '"identityHash":{"type":"Argon2idIdentityHash","identityType":"nationalIdentityNumber",'
    '"hashValue":"","salt":"","opsLimit":3,"memLimit":67108864},',
    '"occupationCode":"6-","occupationClassification":"中华人民共和国职业分类大典（2022年版）",'
    '"occupationName":"","jobType":"--","skillLevel":"apprentice","skillLevel":"special-technician",'
    '"skillLevel":"chief-technician","skillLevel":"L","skillLevelText":"","skillLevelOrder":',
    ',"certificateNumber":"","credentialForm":"职业技能等级证书",'
    '"evaluationOrganization":{"type":"Organization","name":"有限公司","organizationCategory":"S",'
    '"organizationCategory":"Y","filingAuthority":"CN-","organizationCode":"0000"},'
    '"assessmentDate":""},',
    # -- every document: envelope, status entries, subject, proof --------------------------------
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/skillcred/v1"],'
    '"id":"urn:uuid:","type":["VerifiableCredential","',
    '"issuer":{"id":"did:web:","id":"did:key:z6Mk","name":[{"@value":"","@language":"zh"},'
    '{"@value":"","@language":"en"}]},"validFrom":"T00:00:00+08:00",',
    '"credentialStatus":[{"id":"https://","type":"BitstringStatusListEntry",'
    '"statusPurpose":"revocation","statusListIndex":"","statusListCredential":"https://'
    '/status/1"},{"id":"https://","type":"BitstringStatusListEntry",'
    '"statusPurpose":"suspension","statusListIndex":"","statusListCredential":"https://'
    '/status/2"}],',
    '"credentialSubject":{"id":"did:key:z6Mk","name":"',
    '"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":"T',
    ':00Z","verificationMethod":"did:key:z6Mk#z6Mk","proofPurpose":"assertionMethod","proofValue":"z',
)

#: The dictionary bytes (UTF-8), at most 32 KiB so that every byte is within DEFLATE's reach.
DICTIONARY: Final[bytes] = "".join(_PARTS).encode("utf-8")

#: SHA-256 of :data:`DICTIONARY`, hex. The test suite asserts it; see the module docstring.
SHA256: Final[str] = hashlib.sha256(DICTIONARY).hexdigest()
