// The stand-in RPM guest's pure parts: recipe validation, the packages and their spec files, the
// configuration tree, and the ldd parser the builder copies libraries with.
import { describe, expect, test } from "vitest";
import { parseLdd } from "../../../src/harness/guests/rpm/build.js";
import { kernelPackage, packageProblems, renderSpec, rpmFileName } from "../../../src/harness/guests/rpm/packages.js";
import { standinPackages } from "../../../src/harness/guests/rpm/layouts.js";
import { ROCKY_9_STANDIN, splitKernelRelease, validateRpmRecipe, type RpmRecipe } from "../../../src/harness/guests/rpm/recipe.js";
import { STANDIN_LOG } from "../../../src/harness/guests/rpm/standins.js";
import { blsId, GRUBENV_BYTES, machineId, renderBlsEntry, renderGrubenv, standinTreeFiles } from "../../../src/harness/guests/rpm/tree.js";
import { findRecipe, validateRecipe } from "../../../src/harness/guests/recipes.js";
import { renderOvf } from "../../../src/harness/guests/ovf-template.js";

const r = ROCKY_9_STANDIN;

describe("stand-in recipe", () => {
  test("the shipped Rocky 9 stand-in is valid and registered under its name", () => {
    expect(validateRpmRecipe(r)).toEqual([]);
    expect(findRecipe("rocky-9-standin")).toBe(r);
    expect(validateRecipe(r)).toEqual([]);
  });

  test.each<[Partial<RpmRecipe>, RegExp]>([
    [{ name: "rocky-9" }, /ending "-standin"/],
    [{ family: "debian" as never }, /no stand-in layout/],
    [{ os: { ...r.os, name: 'Rocky"; rm -rf /' } }, /os\.name/],
    [{ os: { ...r.os, releaseFiles: [{ path: "/tmp/x-release", line: "x" }] } }, /not \/etc\/NAME-release/],
    [{ os: { ...r.os, versionId: "8.9" } }, /does not start with the release 9/],
    [{ inspect: { ...r.inspect, major: 8 } }, /inspect\.major 8/],
    [{ kernels: [] }, /at least one kernel/],
    [{ kernels: ["5.14.0 362.x86_64"], defaultKernel: "5.14.0 362.x86_64" }, /not VERSION-RELEASE\.ARCH/],
    [{ kernels: [...r.kernels, r.kernels[0]!] }, /listed twice/],
    [{ defaultKernel: "6.0.0-1.el9.x86_64" }, /not one of the kernels/],
    [{ vmwareTools: [] }, /at least one package/],
    [{ vmwareTools: ["open vm tools"] }, /not an rpm package name/],
    [{ hostname: "Rocky_9" }, /hostname/],
    [{ vmwareOsType: "rhel9" }, /not a VMware guest id/],
    [{ vm: { vcpus: 1, memoryMiB: 64 } }, /memoryMiB/],
  ])("refuses %o", (patch, problem) => {
    expect(validateRpmRecipe({ ...r, ...patch }).join("\n")).toMatch(problem);
  });

  test("kernel releases split into version, release and arch", () => {
    expect(splitKernelRelease("5.14.0-362.8.1.el9_3.x86_64")).toEqual({ version: "5.14.0", release: "362.8.1.el9_3", arch: "x86_64" });
    expect(splitKernelRelease("5.14.0.x86_64")).toBeUndefined();
  });
});

describe("stand-in packages", () => {
  test("one kernel-core per kernel (image, config, virtio and VMware module stubs, modules.dep), then the tools", () => {
    const pkgs = standinPackages(r);
    expect(pkgs.map((p) => p.name)).toEqual(["kernel-core", "kernel-core", "dracut", "grub2-tools", "grub2-pc", "grubby", "open-vm-tools", "open-vm-tools-desktop"]);
    const k = kernelPackage("5.14.0-362.8.1.el9_3.x86_64");
    const paths = k.files.map((f) => f.path);
    expect(paths).toContain("/boot/vmlinuz-5.14.0-362.8.1.el9_3.x86_64");
    expect(paths).toContain("/lib/modules/5.14.0-362.8.1.el9_3.x86_64/kernel/drivers/block/virtio_blk.ko.xz");
    expect(paths).toContain("/lib/modules/5.14.0-362.8.1.el9_3.x86_64/kernel/drivers/net/virtio_net.ko.xz");
    expect(k.files.find((f) => f.path.endsWith("/modules.dep"))!.text).toMatch(/^kernel\/drivers\/block\/virtio_blk\.ko\.xz:$/m);
    expect(rpmFileName(k)).toBe("kernel-core-5.14.0-362.8.1.el9_3.x86_64.rpm");
  });

  test("only the VMware tools record their removal, with the scriptlet writing to the stand-in log", () => {
    const pkgs = standinPackages(r);
    expect(pkgs.filter((p) => p.recordScripts).map((p) => p.name)).toEqual(r.vmwareTools);
    const spec = renderSpec(pkgs.find((p) => p.name === "open-vm-tools")!);
    expect(spec).toContain(`%preun\necho "%preun open-vm-tools $1" >> ${STANDIN_LOG}`);
    expect(spec).toContain(`%postun\necho "%postun open-vm-tools $1" >> ${STANDIN_LOG}`);
    expect(renderSpec(pkgs[0]!)).not.toContain("%preun");
  });

  test("the spec names the package, installs the staged payload and lists every file with its mode", () => {
    const spec = renderSpec(kernelPackage("5.14.0-362.8.1.el9_3.x86_64"));
    expect(spec).toMatch(/^Name: kernel-core$/m);
    expect(spec).toMatch(/^Version: 5\.14\.0$/m);
    expect(spec).toMatch(/^Release: 362\.8\.1\.el9_3$/m);
    expect(spec).toMatch(/^AutoReqProv: no$/m);
    expect(spec).toContain("cp -a %{payload}/. %{buildroot}/");
    expect(spec).toContain("%attr(0755,root,root) /boot/vmlinuz-5.14.0-362.8.1.el9_3.x86_64");
    expect(spec).toContain("%attr(0644,root,root) /boot/config-5.14.0-362.8.1.el9_3.x86_64");
  });

  test("unsafe names, versions and paths are refused before a spec is written", () => {
    const base = standinPackages(r)[2]!;
    expect(packageProblems({ ...base, name: "dra cut" })).toHaveLength(1);
    expect(packageProblems({ ...base, version: "1-2" })).toHaveLength(1);
    expect(packageProblems({ ...base, files: [{ path: "/usr/bin/$(reboot)", mode: 0o755, text: "" }] })).toHaveLength(1);
    expect(packageProblems({ ...base, files: [{ path: "/usr/../etc/shadow", mode: 0o644, text: "" }] })).toHaveLength(1);
    expect(() => renderSpec({ ...base, summary: "a %{macro}" })).toThrow(/refused/);
  });
});

describe("stand-in tree", () => {
  const files = new Map(standinTreeFiles(r).map((f) => [f.path, f]));

  test("os-release and the release files say Rocky Linux 9.3", () => {
    expect(files.get("/etc/os-release")!.text).toMatch(/^ID="rocky"$/m);
    expect(files.get("/etc/os-release")!.text).toMatch(/^VERSION_ID="9\.3"$/m);
    expect(files.get("/etc/redhat-release")!.text).toBe("Rocky Linux release 9.3 (Blue Onyx)\n");
  });

  test("rpm's configuration points at the sqlite database in /var/lib/rpm, and /usr/bin/rpm is the executable wrapper", () => {
    expect(files.get("/usr/lib/rpm/macros")!.text).toMatch(/^%_dbpath %\{_var\}\/lib\/rpm$/m);
    expect(files.get("/usr/lib/rpm/macros")!.text).toMatch(/^%_db_backend sqlite$/m);
    expect(files.get("/usr/bin/rpm")!.mode).toBe(0o755);
    expect(files.get("/usr/bin/rpm")!.text).toContain(`>> ${STANDIN_LOG}`);
  });

  test("one BLS entry per kernel on /dev/sda2, and grubenv pins the recipe's default kernel in 1024 bytes", () => {
    for (const k of r.kernels) {
      const entry = files.get(`/boot/loader/entries/${blsId(r, k)}.conf`)!.text;
      expect(entry).toMatch(new RegExp(`^linux /vmlinuz-${k.replace(/\./g, "\\.")}$`, "m"));
      expect(entry).toMatch(/^options root=\/dev\/sda2 ro /m);
    }
    const env = files.get("/boot/grub2/grubenv")!.text;
    expect(env).toHaveLength(GRUBENV_BYTES);
    expect(env).toMatch(new RegExp(`^saved_entry=${blsId(r, r.defaultKernel)}$`, "m"));
    expect(renderBlsEntry(r, r.kernels[1]!)).toMatch(/^title Rocky Linux \(5\.14\.0-362/m);
  });

  test("the VMware-era files the conversion must change are there", () => {
    expect(files.get("/etc/fstab")!.text).toMatch(/^\/dev\/sda2\s+\/\s/m);
    expect(files.get("/etc/sysconfig/network-scripts/ifcfg-ens192")!.text).toMatch(/^HWADDR=00:50:56/m);
    expect(files.get("/etc/NetworkManager/system-connections/ens192.nmconnection")!.text).toMatch(/^mac-address=/m);
    expect(files.get("/etc/yum.repos.d/vmware-tools.repo")!.text).toMatch(/^enabled=1$/m);
    expect(files.get("/etc/selinux/config")!.text).toMatch(/^SELINUX=enforcing$/m);
  });

  test("the machine id is fixed per recipe and shaped like systemd's", () => {
    expect(machineId(r)).toMatch(/^[0-9a-f]{32}$/);
    expect(machineId(r)).toBe(machineId({ ...r }));
    expect(machineId({ ...r, name: "other-standin" })).not.toBe(machineId(r));
    expect(() => renderGrubenv("x".repeat(2000))).toThrow(/1024/);
  });
});

describe("parseLdd", () => {
  test("takes the resolved paths and the loader, skips the vdso", () => {
    const out = [
      "\tlinux-vdso.so.1 (0x00007ffd1a5f2000)",
      "\tlibrpm.so.9 => /lib/x86_64-linux-gnu/librpm.so.9 (0x00007f9565cff000)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f9565ad3000)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f9565d9a000)",
    ].join("\n");
    expect(parseLdd(out)).toEqual(["/lib/x86_64-linux-gnu/librpm.so.9", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"]);
  });
});

describe("the stand-in's OVF", () => {
  test("names the RHEL OS type and VMware's guest id from the recipe, not Debian's", () => {
    const ovf = renderOvf(r, [{ fileName: "rocky-9-standin-disk1.vmdk", fileSizeBytes: 1024, capacityBytes: 2 * 1024 ** 3 }]);
    expect(ovf).toContain('<OperatingSystemSection ovf:id="80" vmw:osType="rhel9_64Guest">');
    expect(ovf).not.toContain("debian");
  });
});
