"""What a page (or the whole suite) leaves behind on the Docker engine, and removing it.

Snapshots go through the docker CLI, the same client the pages use, so no SDK sits in between.
"""
from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass, field

log = logging.getLogger('harness.docker')

# kind (resource, list command); each line printed is "<id>\t<name>"
_LISTS = {
    'container': ['ps', '--all', '--no-trunc', '--format', '{{.ID}}\t{{.Names}}'],
    'network': ['network', 'ls', '--no-trunc', '--format', '{{.ID}}\t{{.Name}}'],
    'volume': ['volume', 'ls', '--format', '{{.Name}}\t{{.Name}}'],
    'image': ['image', 'ls', '--all', '--no-trunc', '--format', '{{.ID}}\t{{.Repository}}:{{.Tag}}'],
}
LEAK_KINDS = ('container', 'network', 'volume')


@dataclass(frozen=True)
class Snapshot:
    objects: dict[str, frozenset[tuple[str, str]]]   # kind -> {(id, name)}

    def new_since(self, before: 'Snapshot') -> dict[str, list[tuple[str, str]]]:
        return {kind: sorted(self.objects[kind] - before.objects[kind]) for kind in _LISTS}


@dataclass
class Cleanup:
    leaked: dict[str, list[str]] = field(default_factory=dict)   # kind -> names, containers..volumes
    images: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def leak_message(self) -> str:
        return '; '.join(f'{kind}s: {", ".join(names)}' for kind, names in self.leaked.items() if names)


def docker(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(['docker', *args], env=env, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise RuntimeError(f'docker {" ".join(args)}: {result.stderr.strip()}')
    return result.stdout


def snapshot(env: dict[str, str] | None = None) -> Snapshot:
    objects = {}
    for kind, args in _LISTS.items():
        lines = docker(*args, env=env).splitlines()
        objects[kind] = frozenset(tuple(line.split('\t', 1)) for line in lines if line)
    return Snapshot(objects)


def clean_up(before: Snapshot, env: dict[str, str] | None = None) -> Cleanup:
    """Remove what is new since `before`; containers, networks and volumes count as leaks."""
    new = snapshot(env).new_since(before)
    result = Cleanup(leaked={kind: [name for _, name in new[kind]] for kind in LEAK_KINDS})
    steps = [
        ('container', ['rm', '--force', '--volumes']),
        ('network', ['network', 'rm']),
        ('volume', ['volume', 'rm', '--force']),
    ]
    for kind, args in steps:
        ids = [object_id for object_id, _ in new[kind]]
        if ids:
            _remove(args, ids, env, result)
    # A new tag may point at an image that was already there: untag it, then remove the new image
    # IDs that are left (untagged builds, intermediate layers of the legacy builder).
    tags = [ref for _, ref in new['image'] if not ref.endswith('<none>')]
    if tags:
        _remove(['image', 'rm'], tags, env, result)
    old_ids = {image_id for image_id, _ in before.objects['image']}
    leftover = sorted({image_id for image_id, _ in snapshot(env).objects['image']} - old_ids)
    if leftover:
        _remove(['image', 'rm'], leftover, env, result, missing_ok=True)
    result.images = tags + [image_id.removeprefix('sha256:')[:12] for image_id in leftover]
    if result.images:
        log.info('removed images: %s', ', '.join(result.images))
    return result


def _remove(args: list[str], targets: list[str], env, result: Cleanup, missing_ok: bool = False) -> None:
    completed = subprocess.run(['docker', *args, *targets], env=env, capture_output=True, text=True, timeout=300)
    for line in completed.stderr.splitlines():
        if missing_ok and 'No such image' in line:
            continue
        result.errors.append(line)
