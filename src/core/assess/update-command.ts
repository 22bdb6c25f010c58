/**
 * The command an administrator would type for a set of package updates, from the typed remediation
 * (`remediation.update`), never by re-parsing another command: one command per package manager. Display only —
 * `mamori patch apply` runs the structured fields through its own allowlist.
 */
import type { UpdateTool } from '../model.js';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function updateCommand(tool: UpdateTool, packages: readonly { name: string }[], advisories: readonly string[]): string {
  const names = [...new Set(packages.map((p) => p.name))].sort(cmp).join(' ');
  switch (tool) {
    case 'apt':
      return `apt-get update && apt-get install --only-upgrade ${names}`;
    case 'yum':
      return advisories.length ? `yum update-minimal --security ${names}` : `yum update ${names}`;
    case 'dnf': {
      const adv = [...new Set(advisories.filter((a) => /^[A-Z]+SA-\d{4}:\d+/.test(a)))].sort(cmp);
      return adv.length ? `dnf upgrade ${adv.map((a) => `--advisory=${a}`).join(' ')}` : `dnf upgrade ${names}`;
    }
    case 'apk':
      return `apk update && apk upgrade ${names}`;
  }
}
