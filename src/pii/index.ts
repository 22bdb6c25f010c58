/**
 * The personal-data detector's library API (host scan: document roots; site scan: downloaded bodies).
 * See the README.
 */
export type { PiiKind, FileVerdict, ClassifyOptions, SensitiveKind } from './types.js';
export { PII_KINDS, SENSITIVE_KINDS, DEFAULT_MAX_FILE_BYTES } from './types.js';
export { classifyBuffer } from './classify.js';
export { scanTree, type ScanTreeOptions, type ScanTreeResult } from './walk.js';
export { verdictToFindings, personalSeverity, type Located } from './findings.js';
export { maskPhone, maskEmail, maskCard, maskPostal, maskName, maskAddress, maskMyNumber, maskBirthDate, maskText, maskUrl, maskDeep, maskFinding, maskGap } from './mask.js';
export { luhn, validMyNumber, myNumberCheckDigit, ean13, cardBrand, phoneType } from './validators.js';
