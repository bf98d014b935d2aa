// software-scan.ts on SOFTWARE hives built with the Hive API (hives.ts): the build number, the
// installed apps (both Uninstall keys), the other hypervisors' uninstallers and how their
// commands are rewritten, the notes for forms v2v refuses, Group Policy and antivirus.
import { describe, expect, test } from "vitest";
import {
  installedApps,
  scanSoftware,
  toolsKind,
  uninstallCommand,
  XEN_PV_KEY,
} from "../../../../src/converters/windows/software-scan.js";
import { softwareHive, VMWARE_TOOLS, VMWARE_TOOLS_GUID, type AppEntry } from "./hives.js";

const MSI_TAIL = " /quiet /norestart REBOOT=ReallySuppress REMOVE=ALL";
const PRL_GUID = "{8A2A4F4C-2A8B-4E3E-9C8A-7D1B4C2A9E11}";
const scanOf = (apps: readonly AppEntry[]) => scanSoftware(softwareHive({ apps }));

describe("installedApps", () => {
  test("reads both Uninstall keys, native first (each in the hive's sorted key order), with only the values present", () => {
    const h = softwareHive({
      apps: [
        VMWARE_TOOLS,
        { key: "NoValues" },
        { key: "7-Zip", displayName: "7-Zip 23.01 (x64)", publisher: "Igor Pavlov" },
        { key: PRL_GUID, displayName: "Parallels Tools", publisher: "Parallels", uninstallString: `MsiExec.exe /X${PRL_GUID}`, wow64: true },
      ],
    });
    expect(installedApps(h)).toStrictEqual([
      { key: "7-Zip", displayName: "7-Zip 23.01 (x64)", publisher: "Igor Pavlov" },
      { key: "NoValues" },
      { key: VMWARE_TOOLS_GUID, displayName: "VMware Tools", publisher: "VMware, Inc.", uninstallString: `MsiExec.exe /I${VMWARE_TOOLS_GUID}` },
      { key: PRL_GUID, displayName: "Parallels Tools", publisher: "Parallels", uninstallString: `MsiExec.exe /X${PRL_GUID}` },
    ]);
  });

  test("a hive with no Uninstall key at all gives no apps", () => {
    const h = softwareHive();
    h.deleteKey(["Microsoft", "Windows", "CurrentVersion", "Uninstall"]);
    expect(installedApps(h)).toEqual([]);
    expect(scanSoftware(h).uninstallers).toEqual([]);
  });
});

describe("toolsKind", () => {
  test.each([
    [{ key: "x", displayName: "VMware Tools" }, "vmware"],
    [{ key: "x", displayName: "vmware tools 12.3.5" }, "vmware"],
    [{ key: "x", displayName: "Parallels Tools" }, "parallels"],
    [{ key: "x", displayName: "Virtuozzo Tools" }, "virtuozzo"],
    [{ key: XEN_PV_KEY, displayName: "anything" }, "xen-pv"],
    [{ key: XEN_PV_KEY.toUpperCase() }, "xen-pv"], // registry key names are case-insensitive
    [{ key: "x", displayName: "VMware Toolsmith" }, undefined],
    [{ key: "x", displayName: "VMware vSphere Client" }, undefined],
    [{ key: "x", displayName: "My VMware Tools" }, undefined],
    [{ key: "x" }, undefined],
    [{ key: "Red Hat Paravirtualized Xen Drivers", displayName: "Xen PV" }, undefined],
  ] as const)("%o → %s", (app, kind) => {
    expect(toolsKind(app)).toBe(kind);
  });
});

describe("uninstallCommand", () => {
  test("MsiExec /I{guid} becomes /X with the GUID upper-cased and the quiet options", () => {
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: "MsiExec.exe /I{9709436b-5a41-4946-8be7-2aa433caf108}" }, "vmware"))
      .toEqual({ command: `MsiExec.exe /X{9709436B-5A41-4946-8BE7-2AA433CAF108}${MSI_TAIL}` });
  });

  test("msiexec without .exe, /X already, spaces around: the same command", () => {
    const want = { command: `MsiExec.exe /X${VMWARE_TOOLS_GUID}${MSI_TAIL}` };
    expect(uninstallCommand({ key: "k", uninstallString: `msiexec /x ${VMWARE_TOOLS_GUID}` }, "vmware")).toEqual(want);
    expect(uninstallCommand({ key: "k", uninstallString: `  MSIEXEC.EXE  /X${VMWARE_TOOLS_GUID}  ` }, "vmware")).toEqual(want);
  });

  test("Parallels gets PREVENT_REBOOT and LAUNCHED_BY_SETUP_EXE; Virtuozzo does not", () => {
    const app = { key: "k", displayName: "Parallels Tools", uninstallString: `MsiExec.exe /I${PRL_GUID}` };
    expect(uninstallCommand(app, "parallels")).toEqual({ command: `MsiExec.exe /X${PRL_GUID}${MSI_TAIL} PREVENT_REBOOT=Yes LAUNCHED_BY_SETUP_EXE=Yes` });
    expect(uninstallCommand(app, "virtuozzo")).toEqual({ command: `MsiExec.exe /X${PRL_GUID}${MSI_TAIL}` });
  });

  test("Xen PV: uninst.exe is run as _uninst.exe, quoted, its arguments kept", () => {
    expect(uninstallCommand({ key: XEN_PV_KEY, uninstallString: '"C:\\Program Files\\Red Hat\\Xen PV\\uninst.exe" /S' }, "xen-pv"))
      .toEqual({ command: '"C:\\Program Files\\Red Hat\\Xen PV\\_uninst.exe" /S' });
    expect(uninstallCommand({ key: XEN_PV_KEY, uninstallString: "C:\\Xen\\UNINST.EXE" }, "xen-pv"))
      .toEqual({ command: '"C:\\Xen\\_uninst.exe"' });
  });

  test("an uninst.exe string is not rewritten for other tools", () => {
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: "C:\\Xen\\uninst.exe /S" }, "vmware"))
      .toEqual({ problem: "the uninstall string of VMware Tools is not one v2v knows how to run silently" });
  });

  test("unknown forms and a missing string are problems naming the app (display name, else key)", () => {
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: '"C:\\Program Files\\VMware\\VMware Tools\\setup64.exe" /uninstall' }, "vmware"))
      .toEqual({ problem: "the uninstall string of VMware Tools is not one v2v knows how to run silently" });
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: `MsiExec.exe /I${VMWARE_TOOLS_GUID} & calc.exe` }, "vmware"))
      .toEqual({ problem: "the uninstall string of VMware Tools is not one v2v knows how to run silently" });
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: "MsiExec.exe /I{97094-36B5A41-4946-8BE7-2AA433CAF108}" }, "vmware"))
      .toEqual({ problem: "the uninstall string of VMware Tools is not one v2v knows how to run silently" });
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: "MsiExec.exe /I{9709436B-5A41-4946-8BE7}" }, "vmware"))
      .toEqual({ problem: "the uninstall string of VMware Tools is not one v2v knows how to run silently" });
    expect(uninstallCommand({ key: "k", displayName: "VMware Tools", uninstallString: "   " }, "vmware")).toEqual({ problem: "VMware Tools has no UninstallString" });
    expect(uninstallCommand({ key: XEN_PV_KEY }, "xen-pv")).toEqual({ problem: `${XEN_PV_KEY} has no UninstallString` });
    expect(uninstallCommand({ key: XEN_PV_KEY, uninstallString: "uninst.exe" }, "xen-pv"))
      .toEqual({ problem: `the uninstall string of ${XEN_PV_KEY} is not one v2v knows how to run silently` });
  });
});

describe("scanSoftware: uninstallers and notes", () => {
  test("VMware Tools as MsiExec.exe /I{GUID} → one uninstaller named by its display name", () => {
    const s = scanOf([VMWARE_TOOLS, { key: "7-Zip", displayName: "7-Zip" }]);
    expect(s.uninstallers).toEqual([{ name: "VMware Tools", command: `MsiExec.exe /X${VMWARE_TOOLS_GUID}${MSI_TAIL}` }]);
    expect(s.notes).toEqual([]);
  });

  test("tools under WOW6432Node are found too, in order after the native ones", () => {
    const s = scanOf([
      { key: PRL_GUID, displayName: "Parallels Tools", uninstallString: `MsiExec.exe /I${PRL_GUID}`, wow64: true },
      VMWARE_TOOLS,
    ]);
    expect(s.uninstallers.map((u) => u.name)).toEqual(["VMware Tools", "Parallels Tools"]);
    expect(s.uninstallers[1]!.command).toBe(`MsiExec.exe /X${PRL_GUID}${MSI_TAIL} PREVENT_REBOOT=Yes LAUNCHED_BY_SETUP_EXE=Yes`);
  });

  test("Xen PV drivers by their key; the uninstaller's name is the display name or the kind", () => {
    const s = scanOf([{ key: XEN_PV_KEY, uninstallString: '"C:\\Program Files\\Xen\\uninst.exe"' }]);
    expect(s.uninstallers).toEqual([{ name: "xen-pv", command: '"C:\\Program Files\\Xen\\_uninst.exe"' }]);
  });

  test("a tool whose uninstall string is refused gives a note, no uninstaller", () => {
    const s = scanOf([{ key: "VMwareTools", displayName: "VMware Tools", uninstallString: "C:\\Program Files\\VMware\\setup.exe /x" }, { key: "WPrl", displayName: "Parallels Tools" }]);
    expect(s.uninstallers).toEqual([]);
    expect(s.notes).toEqual([
      "the uninstall string of VMware Tools is not one v2v knows how to run silently: remove it by hand after the first boot",
      "Parallels Tools has no UninstallString: remove it by hand after the first boot",
    ]);
  });

  test("other software gives neither uninstallers nor notes", () => {
    const s = scanOf([{ key: "{11111111-2222-3333-4444-555555555555}", displayName: "VMware vCenter Converter", uninstallString: "MsiExec.exe /I{11111111-2222-3333-4444-555555555555}" }]);
    expect(s.uninstallers).toEqual([]);
    expect(s.notes).toEqual([]);
  });
});

describe("scanSoftware: build number", () => {
  test.each([
    [{ currentBuildNumber: "20348" }, 20348],
    [{ currentBuildNumber: "7601", currentBuild: "9999" }, 7601],
    [{ currentBuild: "9600" }, 9600],
    [{ currentBuildNumber: "123456" }, 123456],
  ] as const)("%o → %d", (o, build) => {
    expect(scanSoftware(softwareHive(o)).build).toBe(build);
  });

  test.each([
    [{}],
    [{ currentBuildNumber: "20348.1" }],
    [{ currentBuildNumber: "abc" }],
    [{ currentBuildNumber: " 7601" }],
    [{ currentBuildNumber: "1234567" }],
    [{ currentBuildNumber: "" }],
    [{ currentBuildNumber: "7601a", currentBuild: "7601" }], // non-numeric CurrentBuildNumber: no fallback
  ] as const)("%o → no build", (o) => {
    const s = scanSoftware(softwareHive(o));
    expect(s.build).toBeUndefined();
    expect(Object.hasOwn(s, "build")).toBe(false);
  });
});

describe("scanSoftware: Group Policy", () => {
  test("a {GUID} child of Group Policy\\History means GPOs", () => {
    expect(scanSoftware(softwareHive({ gpoHistory: ["Local", "{31B2F340-016D-11D2-945F-00C04FB984F9}"] })).groupPolicy).toBe(true);
    expect(scanSoftware(softwareHive({ gpoHistory: ["{35378eac-683f-11d2-a89a-00c04fbbcfa2}"] })).groupPolicy).toBe(true);
  });

  test("non-GUID children, an empty History and no History are not", () => {
    expect(scanSoftware(softwareHive({ gpoHistory: ["Local", "DataStore", "{31B2F340-016D-11D2-945F-00C04FB984F9}x", "31B2F340-016D-11D2-945F-00C04FB984F9", "{31B2F340-016D-11D2-945F-00C04FB984F}"] })).groupPolicy).toBe(false);
    const empty = softwareHive();
    empty.ensureKey(["Microsoft", "Windows", "CurrentVersion", "Group Policy", "History"]);
    expect(scanSoftware(empty).groupPolicy).toBe(false);
    expect(scanSoftware(softwareHive()).groupPolicy).toBe(false);
  });
});

describe("scanSoftware: antivirus", () => {
  test("by display name (case-insensitive) and by publisher AVG Technologies; named by display name, else key", () => {
    const s = scanOf([
      { key: "a", displayName: "Kaspersky Endpoint Security 11", publisher: "AO Kaspersky Lab" },
      { key: "b", displayName: "McAfee Agent" },
      { key: "c", displayName: "Norton 360" },
      { key: "d", displayName: "Sophos Endpoint Agent" },
      { key: "e", displayName: "ESET Anti-VIRUS" },
      { key: "f", displayName: "AVG Internet Security", publisher: "AVG Technologies" },
      { key: "g", publisher: "AVG Technologies" },
      { key: "h", displayName: "Notepad++", publisher: "Notepad++ Team" },
      { key: "i", displayName: "AVG Driver Updater", publisher: "AVG Technologies CZ, s.r.o." },
      { key: "j", displayName: "Defender Console", publisher: "Sophos Ltd" },
    ]);
    expect(s.antivirus).toEqual(["Kaspersky Endpoint Security 11", "McAfee Agent", "Norton 360", "Sophos Endpoint Agent", "ESET Anti-VIRUS", "AVG Internet Security", "g"]);
  });

  test("no antivirus: an empty list", () => {
    expect(scanOf([VMWARE_TOOLS]).antivirus).toEqual([]);
  });
});

test("scanSoftware: the whole result of a realistic hive", () => {
  const s = scanSoftware(softwareHive({ currentBuildNumber: "17763", apps: [VMWARE_TOOLS], gpoHistory: ["{31B2F340-016D-11D2-945F-00C04FB984F9}"] }));
  expect(s).toStrictEqual({
    build: 17763,
    apps: [{ key: VMWARE_TOOLS_GUID, displayName: "VMware Tools", publisher: "VMware, Inc.", uninstallString: `MsiExec.exe /I${VMWARE_TOOLS_GUID}` }],
    uninstallers: [{ name: "VMware Tools", command: `MsiExec.exe /X${VMWARE_TOOLS_GUID}${MSI_TAIL}` }],
    notes: [],
    groupPolicy: true,
    antivirus: [],
  });
});
