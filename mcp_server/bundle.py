"""``outbound-mcp bundle``: a Claude Desktop bundle (``.mcpb``, manifest 0.4, ``server.type: "uv"``).

The bundle holds this package's source, a ``pyproject.toml`` naming its dependencies (Claude Desktop's uv
installs Python and them: nothing is looked up on the person's PATH), ``main.py``, the icon and the manifest,
whose tool list is generated from the code. The person's settings reach the server as environment variables.
"""

from __future__ import annotations

import json
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from mcp_server import __version__
from mcp_server.catalogue import all_tools
from mcp_server.core.errors import ConfigError
from mcp_server.settings import credentials

PACKAGES = ("mcp_server", "outbound_sandbox")
SOURCE_ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = "https://github.com/outbound-mcp/outbound-mcp"
ENTRY_POINT = "main.py"
MAIN = '''"""Claude Desktop starts this through uv (manifest.json); the packages sit beside it."""

from mcp_server.launch import entry

entry()
'''
DESCRIPTION = "PersistIQ, Snov.io and Epixel Leads & CRM as typed, rate-limited tools, with a keyless sandbox."
LONG_DESCRIPTION = (
    "{count} tools over three sales APIs. Starts on a built-in sandbox of simulated data, so you can try it "
    "with no account: turn **Try it on the sandbox** off and enter your keys to work your real accounts. "
    "Paid Snov.io calls and deletions ask you first; **Read-only** offers only tools that change nothing; "
    "**Snov.io credit cap** limits spending per day."
)


def user_config() -> dict[str, dict[str, Any]]:
    config: dict[str, dict[str, Any]] = {
        "sandbox": {
            "type": "boolean",
            "title": "Try it on the sandbox",
            "description": "Simulated PersistIQ, Snov.io and Epixel data, no keys, nothing real touched. "
            "Turn off to use the keys below.",
            "default": True,
        },
        "epixel_base_url": {
            "type": "string",
            "title": "Epixel API base URL",
            "description": "https://<your domain>/<api prefix>/<version>",
            "required": False,
        },
    }
    for credential in credentials():
        config[credential.field] = {
            "type": "string",
            "title": credential.title or credential.field,
            "description": credential.where,
            "sensitive": credential.secret,
            "required": False,
        }
    config["read_only"] = {
        "type": "boolean",
        "title": "Read-only",
        "description": "Offer only tools that read: nothing is created, changed, deleted or spent.",
        "default": False,
    }
    config["snov_max_credits"] = {
        "type": "number",
        "title": "Snov.io credit cap per day",
        "description": "Most Snov.io credits to spend per day (UTC); empty for no cap.",
        "required": False,
        "min": 0,
    }
    return config


def environment() -> dict[str, str]:
    """The variable each setting reaches the server as."""
    names = {"sandbox": "OUTBOUND_MCP_SANDBOX", "read_only": "OUTBOUND_MCP_READ_ONLY"}
    return {names.get(key, key.upper()): f"${{user_config.{key}}}" for key in user_config()}


def manifest() -> dict[str, Any]:
    return {
        "manifest_version": "0.4",
        "name": "outbound-mcp",
        "display_name": "Outbound sales APIs (PersistIQ, Snov.io, Epixel)",
        "version": __version__,
        "description": DESCRIPTION,
        "long_description": LONG_DESCRIPTION.format(count=len(all_tools())),
        "author": {"name": "outbound-mcp contributors", "url": REPOSITORY},
        "repository": {"type": "git", "url": REPOSITORY},
        "homepage": REPOSITORY,
        "documentation": f"{REPOSITORY}/blob/main/docs/install.md",
        "support": f"{REPOSITORY}/issues",
        "icon": "icon.png",
        "license": "MIT",
        "keywords": ["persistiq", "snov.io", "epixel", "crm", "sales", "outbound"],
        "server": {
            "type": "uv",
            "entry_point": ENTRY_POINT,
            "mcp_config": {
                "command": "uv",
                "args": ["run", "--directory", "${__dirname}", ENTRY_POINT],
                "env": environment(),
            },
        },
        "tools": [{"name": tool.name, "description": _first_sentence(tool.description or "")} for tool in all_tools()],
        "compatibility": {"platforms": ["darwin", "win32", "linux"], "runtimes": {"python": _requires_python()}},
        "user_config": user_config(),
    }


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + (dot.strip() or "")


def _project() -> dict[str, Any]:
    """``[project]`` of the checkout this runs from (the icon and license are there too)."""
    pyproject = SOURCE_ROOT / "pyproject.toml"
    if not pyproject.exists():
        raise ConfigError(
            f"bundle: builds from a source checkout (no pyproject.toml beside {SOURCE_ROOT}): "
            f"clone {REPOSITORY} and run it there",
            variable="bundle",
        )
    return dict(tomllib.loads(pyproject.read_text())["project"])


def _requires_python() -> str:
    return str(_project()["requires-python"])


def bundle_pyproject() -> str:
    """Dependencies only: ``package = false`` has uv install them without building this folder."""
    project = _project()
    dependencies = ",\n".join(f"    {json.dumps(d)}" for d in project["dependencies"])
    return (
        "[project]\n"
        'name = "outbound-mcp-bundle"\n'
        f'version = "{__version__}"\n'
        f"requires-python = {json.dumps(project['requires-python'])}\n"
        f"dependencies = [\n{dependencies},\n]\n\n"
        "[tool.uv]\n"
        "package = false\n"
    )


def build_bundle(out: Path) -> Path:
    """Write the ``.mcpb`` (a zip) to ``out`` (a file, or a folder to name it in); the path written."""
    target = out / f"outbound-mcp-{__version__}.mcpb" if out.is_dir() or not out.suffix else out
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(), indent=2) + "\n")
        archive.writestr("pyproject.toml", bundle_pyproject())
        archive.writestr(ENTRY_POINT, MAIN)
        archive.write(SOURCE_ROOT / "icon.png", "icon.png")
        archive.write(SOURCE_ROOT / "LICENSE", "LICENSE")
        for package in PACKAGES:
            # The code, and the pages the MCP Apps serve (mcp_server/apps/html, built from ui/).
            for path in sorted([*(SOURCE_ROOT / package).rglob("*.py"), *(SOURCE_ROOT / package).rglob("*.html")]):
                archive.write(path, path.relative_to(SOURCE_ROOT).as_posix())
    return target
