// The target platform's pure decisions: the RTC base, the Hyper-V enlightenments and the TPM.
import { expect, test } from "vitest";
import { decidePlatform, HYPERV_FEATURES, isWindows11 } from "../../../src/target/platform.js";

const win = (over: Partial<Parameters<typeof decidePlatform>[0]>) => ({
  osType: "windows", osinfo: "win2k22", productName: "Windows Server 2022 Standard", majorVersion: 10, ...over,
});

test("Linux: UTC, no enlightenments, no TPM", () => {
  expect(decidePlatform({ osType: "linux", osinfo: "debian12", productName: "Debian GNU/Linux 12", majorVersion: 12 }))
    .toEqual({ clock: "utc", hyperv: [], tpm: false });
});

test("Windows Server 2022: local time and every enlightenment, no TPM", () => {
  expect(decidePlatform(win({}))).toEqual({ clock: "localtime", hyperv: HYPERV_FEATURES, tpm: false });
  expect(HYPERV_FEATURES).toEqual(["relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset", "frequencies"]);
});

test("the enlightenments start at NT 6.0; older Windows keeps local time without them", () => {
  expect(decidePlatform(win({ majorVersion: 6 })).hyperv).toEqual(HYPERV_FEATURES);
  expect(decidePlatform(win({ majorVersion: 5 }))).toEqual({ clock: "localtime", hyperv: [], tpm: false });
});

test("Windows 11 (a TPM 2.0) is known by its osinfo or by its product name, either alone", () => {
  expect(isWindows11(win({ osinfo: "win11", productName: "Windows 10 Pro" }))).toBe(true);
  expect(isWindows11(win({ osinfo: "win10", productName: "Windows 11 Pro" }))).toBe(true);
  expect(isWindows11(win({ osinfo: "win10", productName: "Windows 10 Pro" }))).toBe(false);
  expect(isWindows11(win({ osinfo: "win10", productName: "Windows 110 Pro" }))).toBe(false);
  expect(isWindows11({ osType: "linux", osinfo: "win11", productName: "Windows 11" })).toBe(false);
  expect(decidePlatform(win({ osinfo: "win11", productName: "Windows 11 Pro" })).tpm).toBe(true);
});
