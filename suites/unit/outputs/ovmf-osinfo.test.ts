// OVMF lookup order and the libosinfo short-id -> URI table.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { osinfoUri } from "../../../src/outputs/common/libvirt-xml.js";
import { findOvmf } from "../../../src/outputs/common/ovmf.js";

test("findOvmf takes the first pair whose two files exist", async () => {
  const dir = mkdtempSync(join(tmpdir(), "v2v-ovmf-"));
  try {
    const f = (n: string) => join(dir, n);
    writeFileSync(f("A_CODE"), ""); // A lacks its vars file: skipped
    writeFileSync(f("B_CODE"), ""); writeFileSync(f("B_VARS"), "");
    const pairs = [{ code: f("A_CODE"), vars: f("A_VARS") }, { code: f("B_CODE"), vars: f("B_VARS") }];
    expect(await findOvmf(pairs)).toEqual(pairs[1]);
    expect(await findOvmf(pairs.slice(0, 1))).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ["debian11", "http://debian.org/debian/11"],
  ["debian12", "http://debian.org/debian/12"],
  ["debian13", "http://debian.org/debian/13"],
  ["ubuntu22.04", "http://ubuntu.com/ubuntu/22.04"],
  ["fedora39", "http://fedoraproject.org/fedora/39"],
  ["rhel9.2", "http://redhat.com/rhel/9.2"],
  ["sles15sp4", "http://suse.com/sles/15.4"],
  ["win10", "http://microsoft.com/win/10"],
  ["win2k19", "http://microsoft.com/win/2k19"],
  ["unknown", undefined],
  ["debian", undefined],
])("osinfoUri(%s) = %s", (id, uri) => {
  expect(osinfoUri(id)).toBe(uri);
});
