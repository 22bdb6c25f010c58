/**
 * Every check `scan site` can report, as data: id, category, severity, catalog id, references and message
 * codes for the title and the remediation (src/core/messages/site.ts). One entry per check; the engine looks
 * checks up by id, so a finding always names the check that produced it (`source`). Configuration snippets
 * per web server and version are in snippets.ts.
 */
import type { CheckDef } from './types.js';

const NUCLEI = 'https://github.com/projectdiscovery/nuclei-templates/tree/main/http/exposures';
const OBS = 'https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring';
const TESTSSL = 'https://github.com/testssl/testssl.sh';
const MOZ_TLS = 'https://wiki.mozilla.org/Security/Server_Side_TLS';

const defs: CheckDef[] = [
  // Risk 1: files reachable by URL
  { id: 'exposure.sql-dump', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-01', title: 'site.check.sqlDump', remediation: 'site.fix.removeFile', priority: 1, references: [`${NUCLEI}/backups/sql-dump.yaml`] },
  { id: 'exposure.archive', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-02', title: 'site.check.archive', remediation: 'site.fix.removeFile', priority: 1, references: [`${NUCLEI}/backups/zip-backup-files.yaml`] },
  { id: 'exposure.csv-export', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-03', title: 'site.check.csv', remediation: 'site.fix.removeFile', priority: 1, references: [] },
  { id: 'exposure.log', category: 'sensitive-file-exposure', severity: 'medium', catalog: 'PII-04', title: 'site.check.log', remediation: 'site.fix.moveLogs', priority: 1, references: [`${NUCLEI}/logs/access-log.yaml`] },
  { id: 'exposure.error-log', category: 'sensitive-file-exposure', severity: 'medium', catalog: 'PII-04', title: 'site.check.errorLog', remediation: 'site.fix.moveLogs', priority: 1, references: [`${NUCLEI}/logs/error-logs.yaml`] },
  { id: 'exposure.listing', category: 'information-disclosure', severity: 'medium', catalog: 'PII-05', title: 'site.check.listing', remediation: 'site.fix.listing', priority: 2, references: [`${NUCLEI}/backups/backup-directory-listing.yaml`] },
  { id: 'exposure.listed-file', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-05', title: 'site.check.listedFile', remediation: 'site.fix.removeFile', priority: 1, references: [] },
  { id: 'exposure.git', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-06', title: 'site.check.git', remediation: 'site.fix.vcs', priority: 1, references: [`${NUCLEI}/configs/git-config.yaml`] },
  { id: 'exposure.svn', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-06', title: 'site.check.svn', remediation: 'site.fix.vcs', priority: 1, references: [] },
  { id: 'exposure.ds-store', category: 'information-disclosure', severity: 'low', catalog: 'PII-06', title: 'site.check.dsStore', remediation: 'site.fix.removeFile', priority: 2, references: [`${NUCLEI}/files/ds-store-file.yaml`] },
  { id: 'exposure.env', category: 'sensitive-file-exposure', severity: 'critical', catalog: 'PII-06', title: 'site.check.env', remediation: 'site.fix.secrets', priority: 1, references: [] },
  { id: 'exposure.config-backup', category: 'sensitive-file-exposure', severity: 'critical', catalog: 'PII-06', title: 'site.check.configBackup', remediation: 'site.fix.secrets', priority: 1, references: ['https://github.com/wpscanteam/wpscan/blob/master/app/finders/config_backups/known_filenames.rb'] },
  { id: 'exposure.htpasswd', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-06', title: 'site.check.htpasswd', remediation: 'site.fix.secrets', priority: 1, references: [] },
  { id: 'exposure.ftp-config', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-06', title: 'site.check.ftpConfig', remediation: 'site.fix.secrets', priority: 1, references: [`${NUCLEI}/files/ftpconfig.yaml`] },
  { id: 'exposure.phpinfo', category: 'information-disclosure', severity: 'medium', catalog: 'PII-07', title: 'site.check.phpinfo', remediation: 'site.fix.removeFile', priority: 1, references: [] },
  { id: 'exposure.installer-eccube', category: 'sensitive-file-exposure', severity: 'critical', catalog: 'PII-07', title: 'site.check.installerEccube', remediation: 'site.fix.installer', priority: 1, references: [] },
  { id: 'exposure.installer-wordpress', category: 'sensitive-file-exposure', severity: 'critical', catalog: 'PII-07', title: 'site.check.installerWordpress', remediation: 'site.fix.installer', priority: 1, references: [] },
  { id: 'exposure.installer-generic', category: 'sensitive-file-exposure', severity: 'high', catalog: 'PII-07', title: 'site.check.installerGeneric', remediation: 'site.fix.installer', priority: 1, references: ['https://github.com/wpscanteam/wpscan/tree/master/app/finders/interesting_findings'] },
  { id: 'exposure.phpmyadmin', category: 'information-disclosure', severity: 'medium', catalog: 'PII-07', title: 'site.check.phpmyadmin', remediation: 'site.fix.restrictAdmin', priority: 2, references: [] },
  { id: 'exposure.admin-panel', category: 'information-disclosure', severity: 'low', catalog: 'PII-07', title: 'site.check.adminPanel', remediation: 'site.fix.restrictAdmin', priority: 2, references: [] },
  { id: 'exposure.mt-check', category: 'information-disclosure', severity: 'medium', catalog: 'APP-14', title: 'site.check.mtCheck', remediation: 'site.fix.removeFile', priority: 1, references: [] },
  { id: 'exposure.server-status', category: 'information-disclosure', severity: 'medium', catalog: 'EOL-02', title: 'site.check.serverStatus', remediation: 'site.fix.restrictAdmin', priority: 2, references: [] },
  { id: 'exposure.mailform-config', category: 'sensitive-file-exposure', severity: 'high', catalog: 'APP-30', title: 'site.check.mailformConfig', remediation: 'site.fix.mailform', priority: 1, references: [] },
  { id: 'exposure.cgi-source', category: 'information-disclosure', severity: 'medium', catalog: 'APP-30', title: 'site.check.cgiSource', remediation: 'site.fix.cgiSource', priority: 2, references: [] },
  { id: 'exposure.mailform-log', category: 'sensitive-file-exposure', severity: 'high', catalog: 'APP-30', title: 'site.check.mailformLog', remediation: 'site.fix.mailform', priority: 1, references: [] },
  { id: 'exposure.personal-data', category: 'personal-data-exposure', severity: 'critical', catalog: 'PII-20', title: 'site.check.personalData', remediation: 'site.fix.personalData', priority: 1, references: [] },
  // Risk 2: transport
  { id: 'transport.no-https', category: 'plaintext-transport', severity: 'high', catalog: 'PLN-01', title: 'site.check.noHttps', remediation: 'site.fix.enableHttps', priority: 1, references: [OBS] },
  { id: 'transport.no-redirect', category: 'plaintext-transport', severity: 'medium', catalog: 'PLN-01', title: 'site.check.noRedirect', remediation: 'site.fix.redirect', priority: 1, references: [`${OBS}#redirection`] },
  { id: 'transport.form-http-action', category: 'plaintext-transport', severity: 'high', catalog: 'PLN-02', title: 'site.check.formHttpAction', remediation: 'site.fix.formHttps', priority: 1, references: [] },
  { id: 'transport.form-on-http-page', category: 'plaintext-transport', severity: 'high', catalog: 'PLN-02', title: 'site.check.formOnHttpPage', remediation: 'site.fix.formHttps', priority: 1, references: [] },
  { id: 'transport.mixed-content', category: 'plaintext-transport', severity: 'medium', catalog: 'PLN-02', title: 'site.check.mixedContent', remediation: 'site.fix.mixedContent', priority: 2, references: ['https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content'] },
  { id: 'header.hsts', category: 'security-header', severity: 'medium', catalog: 'PLN-04', title: 'site.check.hsts', remediation: 'site.fix.hsts', priority: 2, references: [`${OBS}#strict-transport-security`] },
  { id: 'header.hsts-short', category: 'security-header', severity: 'low', catalog: 'PLN-04', title: 'site.check.hstsShort', remediation: 'site.fix.hsts', priority: 2, references: [`${OBS}#strict-transport-security`] },
  { id: 'header.csp', category: 'security-header', severity: 'low', catalog: 'PLN-05', title: 'site.check.csp', remediation: 'site.fix.csp', priority: 2, references: [`${OBS}#content-security-policy`] },
  { id: 'header.x-frame-options', category: 'security-header', severity: 'low', catalog: 'PLN-05', title: 'site.check.xfo', remediation: 'site.fix.xfo', priority: 2, references: [`${OBS}#x-frame-options`] },
  { id: 'header.x-content-type-options', category: 'security-header', severity: 'low', catalog: 'PLN-05', title: 'site.check.xcto', remediation: 'site.fix.xcto', priority: 2, references: [`${OBS}#x-content-type-options`] },
  { id: 'header.referrer-policy', category: 'security-header', severity: 'info', catalog: 'PLN-05', title: 'site.check.referrer', remediation: 'site.fix.referrer', priority: 2, references: [`${OBS}#referrer-policy`] },
  { id: 'header.sri', category: 'security-header', severity: 'low', catalog: 'PLN-05', title: 'site.check.sri', remediation: 'site.fix.sri', priority: 2, references: [`${OBS}#subresource-integrity`] },
  { id: 'header.observatory-grade', category: 'security-header', severity: 'info', catalog: 'PLN-05', title: 'site.check.observatory', remediation: 'site.fix.headers', priority: 2, references: [OBS] },
  { id: 'cookie.session-flags', category: 'cookie', severity: 'medium', catalog: 'PLN-03', title: 'site.check.cookie', remediation: 'site.fix.cookie', priority: 2, references: [`${OBS}#cookies`] },
  // Banners
  { id: 'info.version-banner', category: 'information-disclosure', severity: 'low', catalog: 'EOL-02', title: 'site.check.banner', remediation: 'site.fix.banner', priority: 2, references: [] },
  // TLS
  { id: 'tls.sslv2', category: 'weak-tls', severity: 'critical', catalog: 'TLS-01', title: 'site.check.sslv2', remediation: 'site.fix.protocols', priority: 1, references: [TESTSSL, MOZ_TLS] },
  { id: 'tls.sslv3', category: 'weak-tls', severity: 'high', catalog: 'TLS-01', title: 'site.check.sslv3', remediation: 'site.fix.protocols', priority: 1, references: [TESTSSL, MOZ_TLS] },
  { id: 'tls.tls10', category: 'weak-tls', severity: 'medium', catalog: 'TLS-01', title: 'site.check.tls10', remediation: 'site.fix.protocols', priority: 1, references: [TESTSSL, MOZ_TLS, 'https://datatracker.ietf.org/doc/rfc8996/'] },
  { id: 'tls.tls11', category: 'weak-tls', severity: 'medium', catalog: 'TLS-01', title: 'site.check.tls11', remediation: 'site.fix.protocols', priority: 1, references: [TESTSSL, MOZ_TLS, 'https://datatracker.ietf.org/doc/rfc8996/'] },
  { id: 'tls.no-tls12', category: 'weak-tls', severity: 'high', catalog: 'TLS-01', title: 'site.check.noTls12', remediation: 'site.fix.protocols', priority: 1, references: [TESTSSL] },
  { id: 'tls.weak-cipher', category: 'weak-tls', severity: 'high', catalog: 'TLS-02', title: 'site.check.weakCipher', remediation: 'site.fix.ciphers', priority: 1, references: [TESTSSL, MOZ_TLS] },
  { id: 'tls.grade', category: 'weak-tls', severity: 'info', catalog: 'TLS-05', title: 'site.check.tlsGrade', remediation: 'site.fix.protocols', priority: 2, references: ['https://github.com/ssllabs/research/wiki/SSL-Server-Rating-Guide'] },
  { id: 'cert.untrusted', category: 'certificate', severity: 'high', catalog: 'TLS-03', title: 'site.check.certUntrusted', remediation: 'site.fix.cert', priority: 1, references: [TESTSSL] },
  { id: 'cert.expired', category: 'certificate', severity: 'critical', catalog: 'TLS-03', title: 'site.check.certExpired', remediation: 'site.fix.cert', priority: 1, references: [] },
  { id: 'cert.expiring', category: 'certificate', severity: 'medium', catalog: 'TLS-03', title: 'site.check.certExpiring', remediation: 'site.fix.cert', priority: 1, references: [] },
  { id: 'cert.hostname', category: 'certificate', severity: 'high', catalog: 'TLS-03', title: 'site.check.certHostname', remediation: 'site.fix.cert', priority: 1, references: [] },
  { id: 'cert.weak-key', category: 'certificate', severity: 'high', catalog: 'TLS-03', title: 'site.check.certWeakKey', remediation: 'site.fix.cert', priority: 1, references: [] },
  { id: 'cert.weak-signature', category: 'certificate', severity: 'high', catalog: 'TLS-03', title: 'site.check.certWeakSig', remediation: 'site.fix.cert', priority: 1, references: [] },
];

export const CHECKS: ReadonlyMap<string, CheckDef> = new Map(defs.map((d) => [d.id, d]));

export function check(id: string): CheckDef {
  const c = CHECKS.get(id);
  if (!c) throw new Error(`unknown check ${id}`);
  return c;
}
