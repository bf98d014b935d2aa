// The rendered domain XML must pass libvirt's own schema (virt-xml-validate, Debian libvirt-clients).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { commandExists, runAllowFail } from "../../../src/host/exec.js";
import { renderLibvirtXml } from "../../../src/outputs/common/libvirt-xml.js";
import { FIXTURES, ovmfOptionFor } from "./meta-fixtures.js";

let dir = "";
beforeAll(async () => {
  // virt-xml-validate is a shell script around xmllint, which libvirt-clients does not pull in.
  if (!(await commandExists("virt-xml-validate")) || !(await commandExists("xmllint"))) {
    throw new Error("virt-xml-validate or xmllint is not installed: install libvirt-clients and libxml2-utils (apt-get install -y libvirt-clients libxml2-utils)");
  }
  dir = mkdtempSync(join(tmpdir(), "v2v-xml-"));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function validate(xml: string, file: string): Promise<{ exitCode: number; output: string }> {
  const path = join(dir, file);
  writeFileSync(path, xml);
  const r = await runAllowFail(["virt-xml-validate", path, "domain"], { timeoutMs: 30_000 });
  return { exitCode: r.exitCode, output: r.stdout + r.stderr };
}

describe.each(FIXTURES)("%s", (name, build) => {
  test("passes virt-xml-validate", async () => {
    const meta = build();
    const xml = renderLibvirtXml(meta, { version: "0.0.0-test", ...ovmfOptionFor(meta) });
    const r = await validate(xml, `${name}.xml`);
    expect(r.output).toMatch(/validates/);
    expect(r.exitCode).toBe(0);
  });
});

test("negative control: the validator rejects a domain with an unknown disk bus", async () => {
  const meta = FIXTURES[0]![1]();
  const xml = renderLibvirtXml(meta, { version: "0.0.0-test" }).replace(`bus="virtio"`, `bus="pata"`);
  const r = await validate(xml, "broken.xml");
  expect(r.output).toMatch(/fails to validate/);
  expect(r.exitCode).not.toBe(0);
});
