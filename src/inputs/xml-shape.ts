// Refuse, before any XML library runs, what a real OVF never has and a hostile one uses. Pure.
import { badInput } from "../model/errors.js";
import { escapeForTerminal } from "../model/untrusted.js";

const MiB = 1024 * 1024;
const FIX = "fix the OVF or export the VM again";

/** Bounds on the document's shape and values; a real OVF stays far below each. */
export const OVF_LIMITS = {
  /** Characters of the whole document (the OVA module already refuses bigger files). */
  documentChars: 64 * 1024 * 1024,
  /** Element nesting (a vSphere OVF is 6 deep); deeper XML could exhaust the parser's stack. */
  depth: 64,
  /** Elements plus attributes in the document. */
  nodes: 100_000,
  /** Characters of one text run, attribute value or CDATA section. */
  valueChars: 64 * 1024,
  /** Characters of one start tag with its attributes. */
  tagChars: 1024 * 1024,
  /** Characters of VirtualSystem/Name. */
  nameChars: 4096,
  disks: 256,
  nics: 256,
  /** A stated disk capacity: 1 PiB. */
  capacityBytes: 1024 ** 5,
} as const;

const lineAt = (xml: string, index: number): number => {
  let line = 1;
  for (let i = xml.indexOf("\n"); i !== -1 && i < index; i = xml.indexOf("\n", i + 1)) line++;
  return line;
};

/**
 * Refuse, in one linear pass and before any XML library runs, what a real OVF never has and a
 * hostile one uses: DTDs and entities, deep nesting, huge values, millions of nodes. Anything
 * else that is malformed is left to the validator, which reports it with its line.
 */
export function checkXmlShape(xml: string, ovfName: string): void {
  const file = escapeForTerminal(ovfName);
  const refuse = (what: string, at: number): never => {
    throw badInput(`${file}: ${what} (line ${lineAt(xml, at)}); an OVF never has that, the file is corrupt or crafted: ${FIX}`);
  };
  if (xml.length > OVF_LIMITS.documentChars) {
    throw badInput(`${file}: the OVF is larger than ${OVF_LIMITS.documentChars / MiB} MiB; an OVF describes hardware in a few KiB, the file is corrupt or crafted: ${FIX}`);
  }
  const dtd = /<!(?:DOCTYPE|ENTITY)/i.exec(xml);
  if (dtd) refuse(`the OVF has a ${dtd[0].slice(2).toUpperCase()} declaration (entity definitions are refused)`, dtd.index);
  const n = xml.length;
  let i = 0;
  let depth = 0;
  let nodes = 0;
  const skipTo = (end: string, from: number, valueStart?: number): number => {
    const e = xml.indexOf(end, from);
    if (valueStart !== undefined && (e === -1 ? n : e) - valueStart > OVF_LIMITS.valueChars) refuse(`a CDATA section is longer than ${OVF_LIMITS.valueChars} characters`, valueStart);
    return e === -1 ? n : e + end.length;
  };
  while (i < n) {
    const lt = xml.indexOf("<", i);
    if ((lt === -1 ? n : lt) - i > OVF_LIMITS.valueChars) refuse(`a text value is longer than ${OVF_LIMITS.valueChars} characters`, i);
    if (lt === -1) return;
    if (xml.startsWith("<!--", lt)) i = skipTo("-->", lt + 4);
    else if (xml.startsWith("<![CDATA[", lt)) i = skipTo("]]>", lt + 9, lt + 9);
    else if (xml.startsWith("<?", lt)) i = skipTo("?>", lt + 2);
    else if (xml.startsWith("</", lt)) {
      depth--;
      i = skipTo(">", lt + 2);
    } else {
      // A start tag: find its ">" outside quoted attribute values, measuring each value.
      let j = lt + 1;
      let quote = 0;
      let valueStart = 0;
      for (; j < n; j++) {
        const c = xml.charCodeAt(j);
        if (quote !== 0) {
          if (c === quote) {
            quote = 0;
            if (j - valueStart > OVF_LIMITS.valueChars) refuse(`an attribute value is longer than ${OVF_LIMITS.valueChars} characters`, valueStart);
          }
        } else if (c === 0x22 || c === 0x27) {
          quote = c;
          valueStart = j + 1;
          nodes++;
        } else if (c === 0x3e) break;
        if (j - lt > OVF_LIMITS.tagChars) refuse(`a start tag is longer than ${OVF_LIMITS.tagChars} characters`, lt);
      }
      if (xml.charCodeAt(j - 1) !== 0x2f && ++depth > OVF_LIMITS.depth) refuse(`elements are nested more than ${OVF_LIMITS.depth} deep`, lt);
      if (++nodes > OVF_LIMITS.nodes) refuse(`the OVF has more than ${OVF_LIMITS.nodes} elements and attributes`, lt);
      i = j + 1;
    }
  }
}
