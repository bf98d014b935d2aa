// parseOvf on VMware's Secure Boot key (uefi.secureBoot.enabled): both element spellings vSphere
// uses, any case, only with EFI firmware, and a refusal for values that are not true/false.
import { describe, expect, test } from "vitest";
import { parseOvf } from "../../../src/inputs/ovf-parse.js";
import { renderSource } from "../../../src/inputs/print-source.js";
import { V2vError } from "../../../src/model/errors.js";
import type { Source } from "../../../src/model/types.js";
import { makeOvf, readFixture } from "./ova-fixtures.js";

const base = makeOvf([{ href: "a.vmdk" }]);
const hw = (...entries: string[]): string => base.replace("</VirtualHardwareSection>", `${entries.join("")}</VirtualHardwareSection>`);
const EFI = '<vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>';
const config = (value: string, element = "Config", key = "uefi.secureBoot.enabled"): string =>
  `<vmw:${element} ovf:required="false" vmw:key="${key}" vmw:value="${value}"/>`;

function refusal(xml: string): string {
  try {
    parseOvf(xml, "x.ovf");
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("BAD_INPUT");
    return (e as V2vError).message;
  }
  throw new Error("expected parseOvf to refuse the OVF");
}

describe("uefi.secureBoot.enabled with EFI firmware", () => {
  test.each([
    ["vmw:Config, true", config("true"), true],
    ["vmw:Config, TRUE (as a .vmx writes it)", config("TRUE"), true],
    ["vmw:ExtraConfig, true", config("true", "ExtraConfig"), true],
    ["vmw:Config, false", config("false"), false],
    ["vmw:ExtraConfig, FALSE", config("FALSE", "ExtraConfig"), false],
    ["the key in another case", config("true", "Config", "UEFI.SecureBoot.Enabled"), true],
  ])("%s", (_what, entry, expected) => {
    const ovf = parseOvf(hw(EFI, entry), "x.ovf");
    expect(ovf.firmware).toBe("uefi");
    expect(ovf.secureBoot).toBe(expected);
    expect(ovf.warnings).toEqual([]);
  });

  test("no key: secureBoot is absent, not false (the OVF did not say)", () => {
    const ovf = parseOvf(hw(EFI), "x.ovf");
    expect("secureBoot" in ovf).toBe(false);
  });

  test("a vSphere export that says false reads as false", async () => {
    expect(parseOvf(await readFixture("vmware-efi-two-disks.ovf"), "v.ovf").secureBoot).toBe(false);
  });

  test("other keys that merely contain the name are not read", () => {
    expect("secureBoot" in parseOvf(hw(EFI, config("true", "Config", "uefi.secureBoot.enabled.old")), "x.ovf")).toBe(false);
  });

  test("the same value twice (Config and ExtraConfig) is accepted", () => {
    expect(parseOvf(hw(EFI, config("true"), config("TRUE", "ExtraConfig")), "x.ovf").secureBoot).toBe(true);
  });
});

describe("refused or ignored", () => {
  test.each([["1"], ["yes"], [""], ["enabled"]])("value %j is refused with the key's name", (value) => {
    expect(refusal(hw(EFI, config(value)))).toMatch(/^x\.ovf: vmw:key="uefi\.secureBoot\.enabled" has value .*; expected "true" or "false": fix the OVF/);
  });

  test("no value at all is refused", () => {
    expect(refusal(hw(EFI, '<vmw:Config vmw:key="uefi.secureBoot.enabled"/>'))).toMatch(/has value \(none\)/);
  });

  test("true and false together are refused", () => {
    expect(refusal(hw(EFI, config("true"), config("false", "ExtraConfig")))).toMatch(/given both true and false/);
  });

  test("with BIOS firmware (or no firmware key) the key is dropped; true warns, false does not", () => {
    const bios = parseOvf(hw(config("true")), "x.ovf");
    expect(bios.firmware).toBe("bios");
    expect("secureBoot" in bios).toBe(false);
    expect(bios.warnings).toEqual(["uefi.secureBoot.enabled is true but the firmware is BIOS; Secure Boot is ignored"]);
    const off = parseOvf(hw('<vmw:Config vmw:key="firmware" vmw:value="bios"/>', config("false")), "x.ovf");
    expect("secureBoot" in off).toBe(false);
    expect(off.warnings).toEqual([]);
  });
});

describe("--print-source", () => {
  const source = (over: Partial<Source>): Source => ({
    name: "g", hypervisor: "vmware", memoryBytes: 1024 ** 3, vcpus: 1, firmware: "uefi", disks: [], nics: [], removableCount: 0, ...over,
  });
  test("shows secure boot under firmware when the source says, and nothing when it does not", () => {
    expect(renderSource(source({ secureBoot: true }))).toContain("       firmware: uefi\n    secure boot: enabled\n");
    expect(renderSource(source({ secureBoot: false }))).toContain("    secure boot: disabled\n");
    expect(renderSource(source({}))).not.toContain("secure boot");
  });
});
