import * as assert from "assert";
import { renderNotice } from "../tools/notice";

describe("user notice", () => {
    const cfg = (freezeStart: string | undefined, freezeMinutes = 90) => ({ hostname: "redmine.example.com", notice: { freezeStart, freezeMinutes, contact: "ops@example.com" } });

    it("fills the docs/cutover.md template with the window in the freeze's own time zone", () => {
        const text = renderNotice(cfg("2027-01-16T22:00+09:00"));
        assert.match(text, /^Subject: Redmine maintenance on 2027-01-16, 22:00–23:30 \(90 minutes\)/);
        assert.match(text, /Start: 2027-01-16 22:00 \(UTC\+09:00\)/);
        assert.match(text, /http:\/\/redmine\.example\.com\//);
        assert.match(text, /ops@example\.com/);
        assert.doesNotMatch(text, /\{\{/);
    });

    it("names the end date when the window crosses midnight", () => {
        assert.match(renderNotice(cfg("2027-01-16T23:30+09:00", 120)), /23:30–2027-01-17 01:30/);
    });

    it("says which key is missing", () => {
        assert.throws(() => renderNotice(cfg(undefined)), /notice\.freezeStart: is required/);
    });
});
