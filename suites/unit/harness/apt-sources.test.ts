// The harness's Debian mirror comes from the host's apt sources, in either format.
import { expect, test } from "vitest";
import { debianUriFromSources } from "../../../src/harness/guests/apt-sources.js";

test("deb822 .sources: the deb URI serving a release suite, security archives skipped", () => {
  const sec = "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n";
  const main = "Types: deb\n# a comment\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n";
  expect(debianUriFromSources([`${sec}\n${main}`])).toBe("http://mirror.example/debian");
});

test("one-line sources.list, with options; nothing usable gives undefined", () => {
  expect(debianUriFromSources(["# x\ndeb [arch=amd64] http://m.example/debian bookworm main\n"])).toBe("http://m.example/debian");
  expect(debianUriFromSources(["deb-src http://m.example/debian bookworm main\n", ""])).toBeUndefined();
});
