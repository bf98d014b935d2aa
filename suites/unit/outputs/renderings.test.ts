// Golden renderings of the three fixture conversions: libvirt XML, qemu script, JSON.
import { describe, expect, test } from "vitest";
import { renderJsonMeta } from "../../../src/outputs/json/json-meta.js";
import { renderLibvirtXml } from "../../../src/outputs/common/libvirt-xml.js";
import { renderQemuScript } from "../../../src/outputs/qemu/qemu-script.js";
import { FIXTURES, expectGolden, ovmfOptionFor } from "./meta-fixtures.js";

const VERSION = "0.0.0-test";

describe.each(FIXTURES)("%s", (name, build) => {
  const meta = build();
  const uefiOpts = ovmfOptionFor(meta);

  test("libvirt XML matches the golden file", () => {
    expectGolden(`${name}.xml`, renderLibvirtXml(meta, { version: VERSION, ...uefiOpts }));
  });

  test("qemu script matches the golden file", () => {
    const uefi = uefiOpts.ovmf ? { uefi: { code: uefiOpts.ovmf.code, vars: `/var/tmp/out/${meta.name}-VARS.fd` } } : {};
    const guestAgentSocket = `/var/tmp/out/${meta.name}-qga.sock`;
    expectGolden(`${name}.sh`, renderQemuScript(meta, { version: VERSION, accel: "tcg", guestAgentSocket, ...uefi }));
  });

  test("JSON matches the golden file and parses back", () => {
    const text = renderJsonMeta(meta, { version: VERSION });
    expectGolden(`${name}.json`, text);
    const doc = JSON.parse(text) as { name: string; disks: { device: string }[] };
    expect(doc.name).toBe(meta.name);
    expect(doc.disks.map((d) => d.device)).toEqual(meta.disks.map((d) => d.deviceName));
  });
});

test("a UEFI guest without OVMF paths is a programming error, not a silent BIOS domain", () => {
  const meta = FIXTURES[2]![1]();
  expect(() => renderLibvirtXml(meta, { version: VERSION })).toThrow(/OVMF/);
  expect(() => renderQemuScript(meta, { version: VERSION, accel: "tcg" })).toThrow(/OVMF/);
});
