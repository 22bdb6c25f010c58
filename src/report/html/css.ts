/** The report's stylesheet: inline, print-first (A4), Japanese fonts first. */
export const CSS = `
@page { size: A4; margin: 20mm 14mm 18mm 14mm; }
:root { --ink:#1f2937; --muted:#6b7280; --line:#d9dee5; --navy:#1c3d6e; --bg:#f6f8fb; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); font-family: 'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', Meiryo, sans-serif;
  font-size: 10pt; line-height: 1.65; background: #fff; }
main { max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 20pt; color: var(--navy); margin: 0 0 2mm; letter-spacing: .02em; }
h2 { font-size: 14pt; color: var(--navy); border-bottom: 2px solid var(--navy); padding-bottom: 1mm; margin: 9mm 0 4mm; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 6mm 0 2mm; break-after: avoid; }
h4 { font-size: 10pt; margin: 3mm 0 1mm; break-after: avoid; }
p { margin: 1.5mm 0; }
.page { break-before: page; }
.muted { color: var(--muted); }
.small { font-size: 8.5pt; }
.cover { border-left: 6px solid var(--navy); padding: 2mm 0 2mm 5mm; margin-bottom: 5mm; }
.meta { border-collapse: collapse; margin: 2mm 0 3mm; }
.meta th { text-align: left; font-weight: normal; color: var(--muted); padding: .5mm 6mm .5mm 0; white-space: nowrap; }
.meta td { padding: .5mm 0; }
.confidential { font-size: 8.5pt; color: #8b1a1a; border: 1px solid #e8b4b4; background: #fff5f5; padding: 1.5mm 3mm; border-radius: 2px; }
.risk { display: flex; gap: 6mm; align-items: stretch; margin: 3mm 0; break-inside: avoid; }
.risk .level { min-width: 38mm; text-align: center; color: #fff; border-radius: 4px; padding: 3mm 2mm; }
.risk .level .word { font-size: 20pt; font-weight: bold; display: block; line-height: 1.2; }
.risk .level .sub { font-size: 8.5pt; opacity: .95; }
.risk .text { flex: 1; display: flex; flex-direction: column; justify-content: center; }
.lv-critical { background: #8b1a1a; } .lv-high { background: #d9480f; } .lv-medium { background: #b7791f; } .lv-low { background: #3b7dd8; } .lv-none, .lv-info { background: #5c6b7a; }
.damage { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; margin: 3mm 0; break-inside: avoid; }
.damage > div { border: 1px solid var(--line); border-top: 3px solid #8b1a1a; padding: 2mm 3mm; border-radius: 3px; background: #fffafa; }
.damage > div.org { border-top-color: var(--navy); background: #f8fafd; }
.damage h4 { margin-top: 0; }
.damage ul { margin: 0; padding-left: 4.5mm; } .damage li { margin-bottom: 1mm; }
ol.first { margin: 2mm 0; padding-left: 0; list-style: none; counter-reset: n; }
ol.first li { counter-increment: n; position: relative; padding: 2mm 3mm 2mm 12mm; border: 1px solid var(--line); border-radius: 3px; margin-bottom: 2mm; break-inside: avoid; background: var(--bg); }
ol.first li::before { content: counter(n); position: absolute; left: 3mm; top: 2mm; width: 6.5mm; height: 6.5mm; border-radius: 50%; background: var(--navy); color: #fff; text-align: center; font-weight: bold; line-height: 6.5mm; }
.prio { display: inline-block; font-size: 8pt; padding: 0 2mm; border-radius: 2px; background: #e7ecf3; color: var(--navy); margin-right: 1.5mm; white-space: nowrap; }
.badge { display: inline-block; font-size: 8pt; font-weight: bold; color: #fff; padding: 0 2mm; border-radius: 2px; margin-right: 1.5mm; white-space: nowrap; vertical-align: 1px; }
.sev-critical { background: #8b1a1a; } .sev-high { background: #d9480f; } .sev-medium { background: #b7791f; } .sev-low { background: #3b7dd8; } .sev-info { background: #868e96; }
.kev { white-space: nowrap; display: inline-block; font-size: 7.5pt; font-weight: bold; color: #8b1a1a; border: 1px solid #8b1a1a; padding: 0 1.2mm; border-radius: 2px; }
.keep { break-inside: avoid; }
.sevchart { width: 80mm; flex: none; }
.prio.p2 { background: #fff3cd; color: #7a4f01; } .prio.p3 { background: #f8d7da; color: #8b1a1a; }
.charts { display: flex; gap: 6mm; flex-wrap: wrap; align-items: flex-start; }
.chart text { font-family: inherit; fill: var(--ink); }
.chart .lbl { font-size: 11px; } .chart .num { font-size: 11px; font-weight: bold; }
.chart .year { font-size: 9px; fill: var(--muted); } .chart .grid { stroke: #e3e7ec; stroke-width: 1; }
.chart .bartext { font-size: 9.5px; fill: #1f2937; stroke: #fff; stroke-width: 2.5px; stroke-opacity: .8; stroke-linejoin: round; paint-order: stroke; } .chart .bartext.on-red { fill: #fff; font-weight: bold; stroke: #6b1010; stroke-width: 2.5px; stroke-linejoin: round; paint-order: stroke; } .chart .legend { font-size: 9.5px; }
.chart .phase { font-size: 9px; font-weight: bold; fill: #374151; } .chart .swatch { stroke: #4b5563; stroke-width: .6; }
.chart .today { stroke: #111827; stroke-width: 1.6; stroke-dasharray: 4 2; } .chart .todaylbl { font-size: 9.5px; font-weight: bold; }
svg.chart { max-width: 100%; height: auto; }
.section-intro { break-after: avoid; break-inside: avoid; background: var(--bg); border-left: 4px solid var(--navy); padding: 2mm 3mm; margin: 2mm 0 3mm; }
.finding { border: 1px solid var(--line); border-radius: 3px; padding: 2.5mm 3.5mm; margin: 0 0 3.5mm; }
.finding h3, .finding .fmeta { break-after: avoid; }
.finding .dmg, .finding .action, pre.cmd, dl.evidence, .similar, .plan-item, .vgroup h3 { break-inside: avoid; }
.finding h3 { margin: 0 0 1.5mm; font-size: 10.5pt; }
.finding .fmeta { font-size: 8.5pt; color: var(--muted); margin-bottom: 1.5mm; word-break: break-all; }
.finding .fmeta span { margin-right: 4mm; }
.finding .dmg { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; font-size: 9pt; margin: 1.5mm 0; }
.finding .dmg div { background: #fbfbfc; border-left: 3px solid #e8b4b4; padding: 1mm 2mm; }
.finding .dmg div.org { border-left-color: #a9bcd8; }
.finding .dmg b { display: block; font-size: 8pt; color: var(--muted); font-weight: normal; }
.action { margin: 1.5mm 0 0; }
pre.cmd { font-family: 'Noto Sans Mono CJK JP', 'DejaVu Sans Mono', monospace; font-size: 8.5pt; background: #1f2937; color: #f8f9fa; padding: 1.5mm 2.5mm; border-radius: 3px; white-space: pre-wrap; word-break: break-all; margin: 1mm 0; }
dl.evidence { display: grid; grid-template-columns: max-content 1fr; gap: .3mm 3mm; font-size: 8.5pt; margin: 1.5mm 0 0; background: #fafbfc; border: 1px dashed var(--line); padding: 1.5mm 2.5mm; }
dl.evidence dt { color: var(--muted); } dl.evidence dd { margin: 0; word-break: break-all; }
.similar { font-size: 8.5pt; margin-top: 1.5mm; } .similar ul { margin: .5mm 0 0; padding-left: 5mm; columns: 2; } .similar li { word-break: break-all; }
.evidence-note { font-size: 8pt; color: var(--muted); margin-top: .5mm; }
table.data { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 2mm 0 4mm; }
table.data th { background: #e9eef5; color: var(--navy); text-align: left; padding: 1mm 1.5mm; border-bottom: 1px solid #c5cfdc; white-space: nowrap; }
table.data td { padding: .8mm 1.5mm; border-bottom: 1px solid #eceff3; vertical-align: top; word-break: break-word; }
table.data thead { display: table-header-group; }
table.data tr { break-inside: avoid; }
table.data td.n { text-align: right; white-space: nowrap; }
table.data td.id { white-space: nowrap; }
table.appendix { font-size: 7.5pt; } table.appendix td { padding: .4mm 1.5mm; }
.vgroup { border: 1px solid var(--line); border-radius: 3px; padding: 2.5mm 3.5mm; margin-bottom: 4mm; }
.vgroup h3 { margin-top: 0; }
.plan-item { border-left: 4px solid var(--navy); padding: 1.5mm 3mm; margin: 0 0 3mm; background: var(--bg); break-inside: avoid; }
.plan-item.p2 { border-left-color: #e0a800; } .plan-item.p3 { border-left-color: #8b1a1a; }
.plan-item .rel { font-size: 8.5pt; color: var(--muted); }
.review { display: inline-block; font-size: 8pt; color: #7a4f01; background: #fff3cd; padding: 0 2mm; border-radius: 2px; }
nav.toc ol { margin: 1mm 0; padding-left: 6mm; columns: 2; }
nav.toc a { color: var(--ink); text-decoration: none; }
a { color: var(--navy); }
footer.doc-foot { margin-top: 10mm; font-size: 8pt; color: var(--muted); border-top: 1px solid var(--line); padding-top: 2mm; }
@media screen { body { background: #eef1f5; } main { background: #fff; padding: 12mm 14mm; margin: 6mm auto; box-shadow: 0 1px 6px rgba(0,0,0,.12); } }
`;
