"""Who runs the pages' commands: a reader's account, not root.

A reader runs docker as an ordinary user in the docker group (Docker's post-install steps) and needs
root on their machine for no page: what needs root (installing packages, starting a daemon) happens
inside a container on the page. Run as root, a page's command can break the machine the tests share
(it once started a second dockerd); run as this account, such a command fails as it would for the
reader.
"""
from __future__ import annotations

import functools
import grp
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ACCOUNT = 'lab-reader'
# A login shell's PATH on Debian; the lab's own tools come first (see reader_path).
SYSTEM_PATH = ('/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin')


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]

    def popen_args(self) -> dict:
        return {'user': self.uid, 'group': self.gid, 'extra_groups': list(self.groups)}

    def give(self, path: Path) -> None:
        """Make the account the owner of path and everything under it."""
        for item in (path, *path.rglob('*')):
            os.chown(item, self.uid, self.gid, follow_symlinks=False)


@functools.cache
def reader() -> Account | None:
    """The account pages run as when the tests run as root (created if missing); None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ACCOUNT)
    except KeyError:
        subprocess.run(['useradd', '--system', '--user-group', '--shell', '/bin/bash', ACCOUNT],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(ACCOUNT)
    try:
        groups = (grp.getgrnam('docker').gr_gid,)   # access to /var/run/docker.sock, as for a reader
    except KeyError:
        groups = ()
    return Account(ACCOUNT, entry.pw_uid, entry.pw_gid, groups)


def reader_path(account: Account, lab_dirs: list[str], page_bin: Path) -> str:
    """The PATH a page gets: the lab's directories, then the system's (not root's own tools).

    The lab keeps its state under root's home, which the account cannot enter: the programs of a lab
    directory it cannot search are linked into page_bin instead, as a reader would install them
    into /usr/local/bin (a hard link is the same file, and costs nothing).
    """
    existing = [d for d in lab_dirs if os.path.isdir(d)]
    script = 'for dir; do [ -x "$dir" ] || echo "$dir"; done'
    blocked = subprocess.run(['bash', '-c', script, 'check', *existing], capture_output=True, text=True,
                             check=True, **account.popen_args()).stdout.split('\n')
    path = []
    for directory in existing:
        if directory in blocked:
            link_programs(Path(directory), page_bin)
            directory = str(page_bin)
        if directory not in path:
            path.append(directory)
    return ':'.join([*path, *SYSTEM_PATH])


def link_programs(source: Path, destination: Path) -> None:
    """Hard-link (or copy) the programs of source into destination, which the account can read."""
    destination.mkdir(mode=0o755, parents=True, exist_ok=True)
    for entry in source.iterdir():
        program, link = entry.resolve(), destination / entry.name
        if program.is_file() and os.access(program, os.X_OK) and not link.exists():
            try:
                os.link(program, link)
            except OSError:   # another file system
                shutil.copy2(program, link)
