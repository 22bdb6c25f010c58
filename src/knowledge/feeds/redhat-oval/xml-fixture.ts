/** For tests: OVAL definitions written in Red Hat's / Oracle's published XML schema. */

/** A definition in Red Hat's / Oracle's published OVAL XML schema, rebuilt from the vuln-list JSON rendering of the real one. */
export function ovalXml(defs: { id: string; title: string; cves: string[]; severity: string; issued: string; fixed: string[] }[], vendor: 'redhat' | 'oracle'): string {
  const ns = vendor === 'redhat' ? 'com.redhat.rhsa' : 'com.oracle.elsa';
  const body = defs
    .map(
      (d, i) => `  <definition class="patch" id="oval:${ns}:def:${d.id.replace(/\D/g, '')}" version="1">
   <metadata>
    <title>${d.title}</title>
    <reference ref_id="${d.id}" ref_url="https://example/${d.id}" source="${vendor === 'redhat' ? 'RHSA' : 'elsa'}"/>
${d.cves.map((c) => `    <reference ref_id="${c}" ref_url="https://access.redhat.com/security/cve/${c}" source="CVE"/>`).join('\n')}
    <advisory from="secalert@redhat.com"><severity>${d.severity}</severity><rights>Copyright</rights><issued date="${d.issued}"/><updated date="${d.issued}"/></advisory>
   </metadata>
   <criteria operator="OR">
    <criterion comment="Red Hat Enterprise Linux must be installed" test_ref="oval:${ns}:tst:${i}0"/>
    <criteria operator="OR">
${d.fixed.map((f, j) => `     <criteria operator="AND"><criterion comment="${f}" test_ref="oval:${ns}:tst:${i}${j + 1}"/><criterion comment="${f.split(' ')[0]} is signed with Red Hat redhatrelease2 key" test_ref="oval:${ns}:tst:${i}${j + 2}"/></criteria>`).join('\n')}
    </criteria>
   </criteria>
  </definition>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5">
 <generator><oval:product_name>${vendor === 'redhat' ? 'Red Hat OVAL Patch Definition Merger' : 'Oracle Errata'}</oval:product_name><oval:schema_version>5.10</oval:schema_version><oval:timestamp>2026-11-01T00:00:00</oval:timestamp></generator>
 <definitions>
${body}
  <definition class="vulnerability" id="oval:${ns}:def:1" version="1"><metadata><title>CVE-2099-0001 unpatched</title></metadata><criteria><criterion comment="x is installed" test_ref="t"/></criteria></definition>
 </definitions>
</oval_definitions>
`;
}

/** The real RHSA-2016:1421 (rhel-6 stream) as the XML Red Hat publishes. */
export function rhsa20161421Xml(json: string): string {
  const d = JSON.parse(json) as { Metadata: { Title: string; Advisory: { Severity: string; Issued: { Date: string } } } };
  const fixed = [...json.matchAll(/"Comment": "(\S+ is earlier than [^"]+)"/g)].map((m) => m[1]!);
  return ovalXml([{ id: 'RHSA-2016:1421', title: d.Metadata.Title, cves: ['CVE-2016-5387'], severity: d.Metadata.Advisory.Severity, issued: d.Metadata.Advisory.Issued.Date, fixed }], 'redhat');
}

