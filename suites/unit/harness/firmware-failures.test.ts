// The negative control of a UEFI guest without a removable-path loader ends in OVMF's shell: the
// boot watcher must call that a failure at once instead of waiting for its deadline.
import { expect, test } from "vitest";
import { findFailureLine } from "../../../src/harness/boot/boot-report.js";
import { FIRMWARE_FAILURE_PATTERNS } from "../../../src/harness/boot/firmware-failures.js";

// Lines of a real serial log (debian-12-uefi-vendor, unconverted, on virtio under OVMF), escapes kept.
const OVMF_NO_LOADER = [
  '\x1b[=3h\x1b[=3hBdsDxe: failed to load Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0): Not Found',
  'BdsDxe: loading Boot0002 "EFI Internal Shell" from Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)',
  'BdsDxe: starting Boot0002 "EFI Internal Shell" from Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)',
  "\x1b[0m\x1b[37m\x1b[40mUEFI Interactive Shell v2.2",
].join("\r\n");

test("OVMF starting its internal shell is a failed boot, named by its line", () => {
  expect(findFailureLine(OVMF_NO_LOADER, FIRMWARE_FAILURE_PATTERNS)).toMatch(/^BdsDxe: starting Boot0002 "EFI Internal Shell"/);
  expect(findFailureLine("\x1b[0mUEFI Interactive Shell v2.2\r\n", FIRMWARE_FAILURE_PATTERNS)).toMatch(/UEFI Interactive Shell v2\.2$/);
  expect(findFailureLine("BdsDxe: No bootable option or device was found.\n", FIRMWARE_FAILURE_PATTERNS)).toBeDefined();
  expect(findFailureLine("No bootable device.\n", FIRMWARE_FAILURE_PATTERNS)).toBe("No bootable device.");
});

test("a guest's normal boot lines, and OVMF trying a disk's loader, are not failures", () => {
  const ok = [
    'BdsDxe: loading Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)',
    'BdsDxe: starting Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)',
    "Welcome to GRUB!",
    "[    0.000000] Linux version 6.1.0-50-amd64",
  ].join("\n");
  expect(findFailureLine(ok, FIRMWARE_FAILURE_PATTERNS)).toBeUndefined();
});
