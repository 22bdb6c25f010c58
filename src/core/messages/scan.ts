import { defineCatalog } from '../i18n.js';

export const scanMessages = defineCatalog({
  en: {
    'scan.opt.format': 'output format (default: table on a terminal, else json)',
    'scan.opt.output': 'write the report to FILE instead of standard output',
    'scan.opt.failOn': 'exit 1 when a finding at or above this severity exists',
    'scan.needsOutput': 'the {format} format is binary: give --output FILE.',
  },
  ja: {
    'scan.opt.format': '出力形式 (既定値: 端末では table、それ以外は json)',
    'scan.opt.output': 'レポートを標準出力ではなく FILE に書き出す',
    'scan.opt.failOn': 'この重大度以上の検出事項があれば終了コード 1 で終了する',
    'scan.needsOutput': '{format} 形式はバイナリです。--output FILE を指定してください。',
  },
});
