// checkXmlShape at its exact limits and over the constructs it must step over (comments, CDATA,
// processing instructions, quoted '>' and '<'), with the line it names; found unguarded by Stryker.
import { describe, expect, test } from "vitest";
import { OVF_LIMITS, checkXmlShape } from "../../../src/inputs/xml-shape.js";
import { V2vError } from "../../../src/model/errors.js";

const ok = (xml: string): void => expect(() => checkXmlShape(xml, "x.ovf")).not.toThrow();
function refusal(xml: string): string {
  try {
    checkXmlShape(xml, "x.ovf");
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    return (e as V2vError).message;
  }
  throw new Error("expected a refusal");
}
const V = OVF_LIMITS.valueChars;

describe("values exactly at the limit pass, one character more is refused", () => {
  test("a text run", () => {
    ok(`<a>${"x".repeat(V)}</a>`);
    expect(refusal(`<a>${"x".repeat(V + 1)}</a>`)).toMatch(/^x\.ovf: a text value is longer than 65536 characters \(line 1\)/);
    ok("x".repeat(V));
    expect(refusal("x".repeat(V + 1))).toMatch(/a text value is longer/);
  });

  test("an attribute value, double- or single-quoted", () => {
    ok(`<a b="${"x".repeat(V)}"/>`);
    expect(refusal(`<a b="${"x".repeat(V + 1)}"/>`)).toMatch(/an attribute value is longer than 65536 characters/);
    expect(refusal(`<a b='${"x".repeat(V + 1)}'/>`)).toMatch(/an attribute value is longer than 65536 characters/);
  });

  test("a CDATA section, closed or not", () => {
    ok(`<a><![CDATA[${"x".repeat(V)}]]></a>`);
    expect(refusal(`<a><![CDATA[${"x".repeat(V + 1)}]]></a>`)).toMatch(/a CDATA section is longer than 65536 characters/);
    expect(refusal(`<a><![CDATA[${"x".repeat(V + 1)}`)).toMatch(/a CDATA section is longer/);
  });

  test("nesting: 64 deep passes, 65 does not; self-closing elements do not nest", () => {
    const deep = (k: number): string => `${"<a>".repeat(k)}${"</a>".repeat(k)}`;
    ok(deep(64));
    expect(refusal(deep(65))).toMatch(/elements are nested more than 64 deep \(line 1\)/);
    ok(`${"<a>".repeat(63)}${"<b/>".repeat(10)}${"</a>".repeat(63)}`);
  });

  test("nodes: elements and attributes count; 100000 pass, 100001 do not", () => {
    ok(`<r>${"<i/>".repeat(OVF_LIMITS.nodes - 1)}</r>`);
    expect(refusal(`<r>${"<i/>".repeat(OVF_LIMITS.nodes)}</r>`)).toMatch(/more than 100000 elements and attributes/);
    ok(`<r>${'<i a="1"/>'.repeat(OVF_LIMITS.nodes / 2 - 1)}</r>`);
    expect(refusal(`<r>${'<i a="1"/>'.repeat(OVF_LIMITS.nodes / 2)}</r>`)).toMatch(/more than 100000 elements/);
  });

  test("a start tag of 1 MiB passes, longer does not", () => {
    expect(refusal(`<e${" ".repeat(OVF_LIMITS.tagChars + 1)}/>`)).toMatch(/a start tag is longer than 1048576 characters/);
    ok(`<e${" ".repeat(OVF_LIMITS.tagChars - 2)}/>`);
  });

  test("a document over 64 MiB is refused before it is scanned", () => {
    expect(refusal(" ".repeat(OVF_LIMITS.documentChars + 1))).toBe(
      "x.ovf: the OVF is larger than 64 MiB; an OVF describes hardware in a few KiB, the file is corrupt or crafted: fix the OVF or export the VM again",
    );
  });
});

describe("what the scan steps over", () => {
  test("'<' and '>' inside comments, CDATA, processing instructions and quoted values are not elements", () => {
    const inside = "<a><b><c><d>".repeat(20);
    ok(`<?xml version="1.0"?><?pi ${inside} ?><r><!-- ${inside} --><![CDATA[${inside}]]><x y="${inside}" z='a>b'/></r>`);
    expect(refusal(`<r>${inside.repeat(1)}${inside}`)).toMatch(/nested more than 64 deep/);
  });

  test("a comment or CDATA that never ends runs to the end of the document", () => {
    ok("<r><!-- <a><a><a>");
    ok("<r><![CDATA[ <a>");
    ok("<?pi never closed");
  });

  test("closing tags bring the depth back down", () => {
    ok(`<r>${"<a></a>".repeat(1000)}</r>`);
  });
});

describe("the line it names", () => {
  test("is the line where the offending construct starts", () => {
    expect(refusal(`<r>\n<a>\n\n<b a="${"x".repeat(V + 1)}"/></a></r>`)).toMatch(/\(line 4\)/);
    expect(refusal(`\n\n<!DOCTYPE x>`)).toMatch(/the OVF has a DOCTYPE declaration \(entity definitions are refused\) \(line 3\)/);
    // A text run is named by where it starts: here right after <r>, still on line 1.
    expect(refusal(`<r>\n${"x".repeat(V + 1)}`)).toMatch(/\(line 1\)/);
  });
});
