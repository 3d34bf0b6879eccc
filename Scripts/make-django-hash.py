#!/usr/bin/env python3
"""Prints Django-made password hashes for AccountCrypto's tests (PasswordHasherTests.swift).

Django is not a dependency of this project; run this in a throwaway virtual environment:

    python3 -m venv /tmp/dj && /tmp/dj/bin/pip install 'Django==5.2.*'
    /tmp/dj/bin/python Scripts/make-django-hash.py

Each output line is `password<TAB>hash`, made by Django's default hasher (PBKDF2PasswordHasher,
`pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`) with a random salt, so each run prints new hashes;
copy one run's lines into the test file.
"""

import django
from django.conf import settings

settings.configure(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)
django.setup()

from django.contrib.auth.hashers import check_password, make_password  # noqa: E402

PASSWORDS = [
    "correct horse battery staple",
    "pässwörd ✓ 密码",  # non-ASCII: Django hashes the UTF-8 bytes, unnormalised
]

print(f"# Django {django.get_version()}")
for password in PASSWORDS:
    encoded = make_password(password)
    assert check_password(password, encoded)
    print(f"{password}\t{encoded}")
