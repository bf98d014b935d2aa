// The one list per OS family of libguestfs distro names (inspect-get-distro). Converters pick a
// family by these; the target's machine-type table (src/target/buses.ts) uses them too.

/** Debian family. "kalilinux" is what libguestfs reports; "kali" is kept for os-release IDs seen by other tools. */
export const DEBIAN_FAMILY: ReadonlySet<string> = new Set(["debian", "ubuntu", "linuxmint", "kalilinux", "kali"]);

/**
 * Red Hat family (RHEL, its rebuilds, Fedora). libguestfs names Rocky "rocky"; AlmaLinux is
 * "almalinux" in newer releases and "redhat-based" in older ones, so both are listed.
 */
export const RHEL_FAMILY: ReadonlySet<string> = new Set([
  "rhel", "centos", "scientificlinux", "redhat-based", "oraclelinux", "fedora", "rocky", "almalinux",
]);

/** SUSE family. */
export const SUSE_FAMILY: ReadonlySet<string> = new Set(["sles", "suse-based", "opensuse"]);

/** ALT Linux. */
export const ALT_FAMILY: ReadonlySet<string> = new Set(["altlinux"]);
