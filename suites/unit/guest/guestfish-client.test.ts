// The guestfish client's own failures. With the "-" prefix (which keeps the server alive after a
// failing command) the client exits 0 even when it never reached the server; only its stderr says
// so. Measured with guestfish 1.48: `guestfish --remote=999999 -- -echo hi` exits 0 with
// "guestfish: remote: looks like the server is not running". Such a command must not count as run.
import { expect, test } from "vitest";
import { clientFailure } from "../../../src/guest/guestfish.js";

test("a client that could not reach the server is a failure, with the client's lines", () => {
  const stderr = "/tmp/.guestfish-0/socket-4242: No such file or directory\nguestfish: remote: looks like the server is not running\n";
  expect(clientFailure(stderr)).toBe("guestfish: remote: looks like the server is not running");
  expect(clientFailure("guestfish: protocol error: could not decode reply from server\n")).toMatch(/^guestfish: protocol error/);
});

test("a command's own output on stderr, or nothing, is not a client failure", () => {
  expect(clientFailure("")).toBeUndefined();
  expect(clientFailure("libguestfs: error: mount: /dev/sda9: No such file or directory\n")).toBeUndefined();
  expect(clientFailure("Installing for i386-pc platform.\nguestfish says hello\n")).toBeUndefined();
});
