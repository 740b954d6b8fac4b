"""Encryption primitives of the hotline (PyNaCl) and the receipt code.

Layout of the keys:

* every report has its own random 256-bit key (XSalsa20-Poly1305, `nacl.secret.SecretBox`);
  text, messages, identity, file names and file bytes are encrypted with it;
* that report key is sealed (`nacl.public.SealedBox`, X25519) to the public key of each
  designated handler allowed on the case, and wrapped once more under a key derived from the
  reporter's receipt code, so the reporter can read the handlers' answers;
* a handler's private key is stored only encrypted: once under a key derived from their
  passphrase, once under a key derived from their recovery key (both Argon2id).

Nothing on the server (database, media, settings, SECRET_KEY) holds a key that opens a report.
"""

import base64
import json
import secrets
from dataclasses import dataclass

import nacl.exceptions
import nacl.public
import nacl.secret
import nacl.utils
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings
from nacl.pwhash import argon2id

KEY_SIZE = nacl.secret.SecretBox.KEY_SIZE
SALT_SIZE = argon2id.SALTBYTES

# 32 letters without the look-alikes 0/O and 1/I: five bits a character.
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LOOKUP_LENGTH = 4  # 20 bits, stored in clear to find the case
RECEIPT_SECRET_LENGTH = 16  # 80 bits, stored only as an Argon2id hash
RECEIPT_LENGTH = RECEIPT_LOOKUP_LENGTH + RECEIPT_SECRET_LENGTH  # 100 bits in all
RECEIPT_GROUP = 4


class DecryptionError(Exception):
    """A ciphertext did not open with the key given (wrong key or tampered data)."""


# --- settings --------------------------------------------------------------------------


def handler_kdf_limits() -> tuple[int, int]:
    """Argon2id limits for handler passphrases and recovery keys (libsodium "moderate")."""
    return (
        int(getattr(settings, "HOTLINE_HANDLER_KDF_OPSLIMIT", argon2id.OPSLIMIT_MODERATE)),
        int(getattr(settings, "HOTLINE_HANDLER_KDF_MEMLIMIT", argon2id.MEMLIMIT_MODERATE)),
    )


def receipt_kdf_limits() -> tuple[int, int]:
    """Argon2id limits for receipt codes: 3 passes over 64 MiB by default."""
    return (
        int(getattr(settings, "HOTLINE_RECEIPT_KDF_OPSLIMIT", 3)),
        int(getattr(settings, "HOTLINE_RECEIPT_KDF_MEMLIMIT", 64 * 1024 * 1024)),
    )


def receipt_hasher() -> PasswordHasher:
    ops, mem = receipt_kdf_limits()
    return PasswordHasher(time_cost=ops, memory_cost=max(mem // 1024, 8), parallelism=1, type=Type.ID)


# --- symmetric boxes -----------------------------------------------------------------


def new_key() -> bytes:
    return nacl.utils.random(KEY_SIZE)


def new_salt() -> bytes:
    return nacl.utils.random(SALT_SIZE)


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def decrypt(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return nacl.secret.SecretBox(key).decrypt(bytes(ciphertext))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionError from exc


def encrypt_json(key: bytes, value) -> bytes:
    return encrypt(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def decrypt_json(key: bytes, ciphertext: bytes):
    return json.loads(decrypt(key, ciphertext).decode())


def derive_key(secret: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return argon2id.kdf(KEY_SIZE, secret.encode(), bytes(salt), opslimit=opslimit, memlimit=memlimit)


# --- public-key sealing --------------------------------------------------------------


def generate_keypair() -> tuple[bytes, bytes]:
    private = nacl.public.PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def seal(public_key: bytes, data: bytes) -> bytes:
    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(bytes(public_key))).encrypt(data))


def unseal(private_key: bytes, ciphertext: bytes) -> bytes:
    try:
        return nacl.public.SealedBox(nacl.public.PrivateKey(bytes(private_key))).decrypt(bytes(ciphertext))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionError from exc


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


# --- receipt codes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    lookup: str
    secret: str

    @property
    def code(self) -> str:
        return self.lookup + self.secret

    @property
    def groups(self) -> list[str]:
        code = self.code
        return [code[i : i + RECEIPT_GROUP] for i in range(0, len(code), RECEIPT_GROUP)]

    @property
    def display(self) -> str:
        return "-".join(self.groups)


def generate_receipt() -> Receipt:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return Receipt(lookup=code[:RECEIPT_LOOKUP_LENGTH], secret=code[RECEIPT_LOOKUP_LENGTH:])


def parse_receipt(text: str) -> Receipt | None:
    """Accept the code with any spacing, hyphens or case; None when it cannot be a code."""
    code = "".join(ch for ch in text.upper() if ch not in " -\t\u3000")
    if len(code) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in code):
        return None
    return Receipt(lookup=code[:RECEIPT_LOOKUP_LENGTH], secret=code[RECEIPT_LOOKUP_LENGTH:])


def hash_receipt_secret(secret: str) -> str:
    return receipt_hasher().hash(secret)


def verify_receipt_secret(stored_hash: str, secret: str) -> bool:
    try:
        return receipt_hasher().verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummy_hash: dict[tuple[int, int], str] = {}


def dummy_receipt_hash() -> str:
    """A hash to verify against when the lookup part matches nothing, so both failures cost the same."""
    limits = receipt_kdf_limits()
    if limits not in _dummy_hash:
        _dummy_hash[limits] = hash_receipt_secret(secrets.token_hex(16))
    return _dummy_hash[limits]
