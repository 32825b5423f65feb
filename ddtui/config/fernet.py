"""The fernet key(s) Airflow encrypts connection passwords and extras with, found as Airflow
finds them, and the decryption (`cryptography`, as Airflow does)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddtui.config.airflow_cfg import run_config_command
from ddtui.errors import ConfigError
from ddtui.terminal_text import safe_text

FERNET_ENV = "AIRFLOW__CORE__FERNET_KEY"


@dataclass(frozen=True)
class FernetKeys:
    """The fernet key(s) as Airflow finds them, and where they came from."""

    keys: str  # comma-separated, newest first (Airflow's rotation form)
    where: str

    def decrypt(self, token: str, conn_id: str, what: str) -> str:
        from cryptography.fernet import Fernet, InvalidToken, MultiFernet

        if not self.keys.strip():
            raise ConfigError(
                f"connection {conn_id!r}: its {what} is encrypted but no fernet key is set "
                f"(tried {self.where}); set {FERNET_ENV} or [core] fernet_key as Airflow has it"
            )
        try:
            fernet = MultiFernet([Fernet(k.strip().encode()) for k in self.keys.split(",") if k])
        except ValueError:
            raise ConfigError(
                f"the fernet key from {self.where} is not a valid Fernet key "
                f"(32 url-safe base64-encoded bytes); connection {conn_id!r} cannot be decrypted"
            ) from None
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigError(
                f"connection {conn_id!r}: the fernet key from {self.where} cannot decrypt its "
                f"{what}; use the key Airflow encrypted it with (when rotating, list the new "
                f"and old keys comma-separated in {FERNET_ENV})"
            ) from None


def find_fernet_keys(env: Mapping[str, str], config: Any, config_path: Path) -> FernetKeys:
    """AIRFLOW__CORE__FERNET_KEY (+ _CMD), then [core] fernet_key (+ _cmd) in airflow.cfg."""
    if env.get(FERNET_ENV):
        return FernetKeys(env[FERNET_ENV], FERNET_ENV)
    if env.get(f"{FERNET_ENV}_CMD"):
        where = f"{FERNET_ENV}_CMD"
        return FernetKeys(run_config_command(env[where], where), where)
    if env.get(f"{FERNET_ENV}_SECRET"):
        raise ConfigError(
            f"{FERNET_ENV}_SECRET is set: only Airflow reads its secrets backend; "
            f"set {FERNET_ENV} to decrypt the metastore's connections"
        )
    if config is not None and config.has_section("core"):
        shown = safe_text(config_path, limit=200)
        if config.get("core", "fernet_key", fallback="").strip():
            return FernetKeys(config.get("core", "fernet_key"), f"{shown} [core] fernet_key")
        if config.get("core", "fernet_key_cmd", fallback="").strip():
            where = f"{shown} [core] fernet_key_cmd"
            command = config.get("core", "fernet_key_cmd")
            return FernetKeys(run_config_command(command, where), where)
    return FernetKeys("", f"{FERNET_ENV}, [core] fernet_key in {safe_text(config_path)}")
