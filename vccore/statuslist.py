"""Bitstring Status List v1.0 (W3C Recommendation): the list value, its encoding, and the check.

A status list is a bitstring; index 0 is the most significant bit of byte 0 (section 3.2,
"Bitstring Generation Algorithm", step 2: "the leftmost bit ... is index 0"). It travels as
``encodedList``: the multibase base64url (no padding, prefix ``u``) encoding of the GZIP-compressed
bitstring (section 3.2 and 3.3, "Bitstring Encoding" / "Bitstring Expansion Algorithm"). A list
shorter than 131,072 bits gives no herd privacy (section 6.1) and is refused with
``STATUS_LIST_LENGTH_ERROR`` (section 3.2, "Validate Algorithm", step 9).

Decoding is hostile-input safe: the encoded text and the compressed bytes are capped before work
starts, the inflate runs in chunks under an output cap (a small input that inflates past it is
``RESOURCE_LIMIT_EXCEEDED``), and truncated or trailing data is ``PARSING_ERROR``
(SECURITY.md, "Decompression bombs").

:func:`check_status` is pure: the caller fetches the list credential, verifies its proof and its
issuer, then hands it here with ``now``. Only statusSize 1 and the purposes ``revocation`` and
``suspension`` are supported.

The parts live in their own modules and are re-exported here: the bitstring, its encoding and
index parsing in :mod:`vccore.bitstring`, the issuer's entries and list credentials in
:mod:`vccore.statusentry`, the verifier's check in :mod:`vccore.statuscheck`.
"""

from __future__ import annotations

from vccore.bitstring import DEFAULT_MAX_COMPRESSED as DEFAULT_MAX_COMPRESSED
from vccore.bitstring import DEFAULT_MAX_INFLATED as DEFAULT_MAX_INFLATED
from vccore.bitstring import MIN_LENGTH as MIN_LENGTH
from vccore.bitstring import StatusList as StatusList
from vccore.bitstring import decode as decode
from vccore.bitstring import parse_index as parse_index
from vccore.statuscheck import StatusResult as StatusResult
from vccore.statuscheck import check_status as check_status
from vccore.statusentry import CREDENTIAL_TYPE as CREDENTIAL_TYPE
from vccore.statusentry import ENTRY_TYPE as ENTRY_TYPE
from vccore.statusentry import LIST_TYPE as LIST_TYPE
from vccore.statusentry import PURPOSES as PURPOSES
from vccore.statusentry import VC_V2_CONTEXT as VC_V2_CONTEXT
from vccore.statusentry import StatusPurpose as StatusPurpose
from vccore.statusentry import status_entry as status_entry
from vccore.statusentry import status_list_credential as status_list_credential
