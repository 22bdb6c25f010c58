/** Debian codename → release, used when distro-info-data has not been imported (it overrides this table). */
export const DEBIAN_CODENAMES: Record<string, string> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

/** distro-info's `5.0` → `5` (the platform names the major release from 4.0 on). */
export function debianPlatformVersion(v: string): string {
  const m = /^(\d+)\.0$/.exec(v);
  return m && Number(m[1]) >= 4 ? m[1]! : v;
}

export function debianRelease(codename: string, map: Map<string, string>): string | undefined {
  const c = codename.toLowerCase();
  const v = map.get(c) ?? DEBIAN_CODENAMES[c];
  return v === undefined ? undefined : debianPlatformVersion(v);
}
