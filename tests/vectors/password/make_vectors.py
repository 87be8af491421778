#!/usr/bin/python3
# Writes the password-hash fixtures of tests/unit/test_password.c with
# Debian 12's python3-argon2 (argon2-cffi 21.1.0, the library pwdlib uses)
# and python3-passlib 1.7.4 + python3-bcrypt 3.2.2 (what FastAPI-Users <= 12
# used).  Run from this folder with /usr/bin/python3; salts are random, so
# every run writes new (equally valid) hashes.
import os

import argon2
import argon2.low_level as ll
from passlib.context import CryptContext
from passlib.hash import (bcrypt, des_crypt, md5_crypt, pbkdf2_sha256, scrypt,
                         sha256_crypt, sha512_crypt)

PW = "correct horse battery staple"
PW_UTF8 = "p\u00e4ssw\u00f6rd-\u65e5\u672c"
PW_LONG = "0123456789" * 8  # 80 bytes: bcrypt reads the first 72


def argon2_cffi(pw, t, m, p, hash_len=32, salt_len=16, typ=argon2.Type.ID):
    return argon2.PasswordHasher(time_cost=t, memory_cost=m, parallelism=p,
                                 hash_len=hash_len, salt_len=salt_len,
                                 type=typ).hash(pw)


def write(name, how, pw, h):
    with open(name + ".txt", "w", encoding="utf-8") as f:
        f.write("# " + how + "\n")
        f.write("password=" + pw + "\n")
        f.write("hash=" + h + "\n")


# pwdlib's Argon2Hasher() defaults (FastAPI-Users 13+).
write("argon2id_pwdlib",
      "argon2-cffi PasswordHasher(time_cost=3, memory_cost=65536, "
      "parallelism=4, hash_len=32, salt_len=16)",
      PW, argon2_cffi(PW, 3, 65536, 4))
# The low parameters the unit test runs with (t=1, m=1024, p=1).
write("argon2id_low", "argon2-cffi, t=1 m=1024 p=1 hash_len=32 salt_len=16",
      PW, argon2_cffi(PW, 1, 1024, 1))
write("argon2id_low_utf8", "argon2-cffi, t=1 m=1024 p=1, UTF-8 password",
      PW_UTF8, argon2_cffi(PW_UTF8, 1, 1024, 1))
write("argon2i_low", "argon2-cffi type=I, t=1 m=1024 p=1",
      PW, argon2_cffi(PW, 1, 1024, 1, typ=argon2.Type.I))
write("argon2id_t2_low", "argon2-cffi, t=2 m=1024 p=1",
      PW, argon2_cffi(PW, 2, 1024, 1))
write("argon2id_hashlen16_low", "argon2-cffi, t=1 m=1024 p=1 hash_len=16",
      PW, argon2_cffi(PW, 1, 1024, 1, hash_len=16))
write("argon2id_saltlen8_low", "argon2-cffi, t=1 m=1024 p=1 salt_len=8",
      PW, argon2_cffi(PW, 1, 1024, 1, salt_len=8))
write("argon2id_v16_low",
      "argon2.low_level.hash_secret(version=16), t=1 m=1024 p=1",
      PW, ll.hash_secret(PW.encode(), os.urandom(16), time_cost=1,
                         memory_cost=1024, parallelism=1, hash_len=32,
                         type=ll.Type.ID, version=16).decode())
# FastAPI-Users <= 12: CryptContext(schemes=["bcrypt"], deprecated="auto").
write("bcrypt_2b_12",
      'passlib CryptContext(schemes=["bcrypt"], deprecated="auto")',
      PW, CryptContext(schemes=["bcrypt"], deprecated="auto").hash(PW))
for ident in ("2a", "2b", "2y"):
    write("bcrypt_%s_4" % ident,
          'passlib bcrypt.using(ident="%s", rounds=4)' % ident,
          PW, bcrypt.using(ident=ident, rounds=4).hash(PW))
write("bcrypt_2a_4_utf8",
      'passlib bcrypt.using(ident="2a", rounds=4), UTF-8 password',
      PW_UTF8, bcrypt.using(ident="2a", rounds=4).hash(PW_UTF8))
write("bcrypt_2b_4_long",
      'passlib bcrypt.using(rounds=4), 80-byte password (truncated to 72)',
      PW_LONG, bcrypt.using(rounds=4).hash(PW_LONG))
# Valid hashes of PW in schemes we refuse (expected: mismatch).  libargon2
# would verify argon2d and libcrypt the $1$/$5$/$6$/DES ones, so these show
# the scheme check stands in front of both libraries.
write("refused_argon2d_low", "argon2-cffi type=D, t=1 m=1024 p=1",
      PW, argon2_cffi(PW, 1, 1024, 1, typ=argon2.Type.D))
write("refused_scrypt", "passlib scrypt (ln=16 r=8 p=1)",
      PW, scrypt.hash(PW))
write("refused_pbkdf2_sha256", "passlib pbkdf2_sha256",
      PW, pbkdf2_sha256.hash(PW))
write("refused_sha512_crypt", "passlib sha512_crypt",
      PW, sha512_crypt.hash(PW))
write("refused_sha256_crypt", "passlib sha256_crypt",
      PW, sha256_crypt.hash(PW))
write("refused_md5_crypt", "passlib md5_crypt", PW, md5_crypt.hash(PW))
write("refused_des_crypt", "passlib des_crypt (first 8 bytes)",
      PW, des_crypt.hash(PW))
