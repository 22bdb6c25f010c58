/** Each fingerprint on its real version file (positive) and on a look-alike it must not claim (negative). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprints } from './index.js';
import type { AppFingerprint, VersionFile } from './types.js';

const byId = (id: string): AppFingerprint => fingerprints.find((f) => f.id === id)!;
const read = (vf: VersionFile, text: string) => (vf.signature && !vf.signature.test(text) ? null : vf.version(text));

const CASES: { id: string; file: number; text: string; want: string | null }[] = [
  { id: 'wordpress', file: 0, text: "<?php\n$wp_version = '6.4.2';\n$wp_db_version = 56657;\n", want: '6.4.2' },
  { id: 'wordpress', file: 0, text: '<?php\n// a theme file named version.php\n', want: null },
  { id: 'eccube2', file: 0, text: "class SC_Initial {\n function __construct() {\n  define('ECCUBE_VERSION', '2.11.5');\n }\n}\n", want: '2.11.5' },
  { id: 'eccube34', file: 0, text: "<?php\nnamespace Eccube\\Common;\nclass Constant\n{\n    const VERSION = '4.2.3';\n}\n", want: '4.2.3' },
  { id: 'eccube34', file: 0, text: "<?php\nnamespace Other\\Common;\nclass Constant { const VERSION = '1.0'; }\n", want: null },
  { id: 'welcart', file: 0, text: "/*\nPlugin Name: Welcart e-Commerce\nVersion: 2.8.10\n*/\ndefine('USCES_VERSION', '2.8.10.2206201');\n", want: '2.8.10' },
  { id: 'zencart', file: 0, text: "define('PROJECT_VERSION_MAJOR', '1');\ndefine('PROJECT_VERSION_MINOR', '3.9h');\n", want: '1.3.9h' },
  { id: 'oscommerce', file: 0, text: '2.3.4\n', want: '2.3.4' },
  { id: 'oscommerce', file: 0, text: "<?php echo 'a php file named version.php'; ?>\n", want: null },
  { id: 'oscommerce', file: 1, text: "  define('PROJECT_VERSION', 'osCommerce 2.2-MS2');\n", want: '2.2-MS2' },
  { id: 'movabletype', file: 0, text: "package MT;\nsub build_id {\n    my $build_id = '6.3.2';\n}\n", want: '6.3.2' },
  { id: 'movabletype', file: 0, text: "package MT;\nuse vars qw( $VERSION );\n$VERSION = '3.35';\n", want: '3.35' },
  { id: 'mailformpro', file: 0, text: "#!/usr/bin/perl\n# MailForm Pro\n$config{'version'} = '4.3.1';\n", want: '4.3.1' },
  { id: 'mailformpro', file: 1, text: '## 2011-04-01 mailform pro Ver.3.0.0 functions file\n', want: '3.0.0' },
  { id: 'kent-postmail', file: 0, text: '#| POST-MAIL v5.6 (2019/03/02)\n', want: '2019.03.02' },
  { id: 'kent-postmail', file: 0, text: '#!/usr/bin/perl\n# some other postmail.cgi\n', want: null },
  { id: 'kent-clipmail', file: 0, text: '#| CLIP MAIL : clipmail.cgi - 2021/10/03\n', want: '2021.10.03' },
  { id: 'formmail', file: 0, text: '# FormMail                        Version 1.6                                #\n# Copyright 1995-1997 Matt Wright mattw@worldwidemart.com\n# Matt\'s Script Archive, Inc.: http://www.worldwidemart.com/scripts/\n', want: '1.6' },
  { id: 'formmail', file: 0, text: '# FormMail                        Version 1.92                               #\n# Copyright 1995-2002 Matt Wright mattw@scriptarchive.com\n', want: '1.92' },
  { id: 'phpmyadmin', file: 0, text: "namespace PhpMyAdmin;\nfinal class Version\n{\n    public const VERSION = '5.1.4' . VERSION_SUFFIX;\n}\n", want: '5.1.4' },
  { id: 'phpmyadmin', file: 2, text: "$this->set('PMA_VERSION', '4.9.11');\n", want: '4.9.11' },
];

test('every registered fingerprint has a case', () => {
  for (const f of fingerprints) assert.ok(CASES.some((c) => c.id === f.id), f.id);
});

for (const c of CASES) {
  test(`${c.id} file ${c.file}: ${c.want ?? 'not claimed'}`, () => {
    const vf = byId(c.id).files[c.file]!;
    assert.equal(read(vf, c.text), c.want);
  });
}
