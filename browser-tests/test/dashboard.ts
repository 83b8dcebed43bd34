// The dashboard as a person sees it, in Chromium: what the page shows (read from
// the DOM the way a person reads the screen) and what they do (fill the form,
// click). Every wait polls with a deadline.
import path from "node:path";
import { expect } from "chai";
import type { Locator, Page } from "playwright-core";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { artifactsDir, harness } from "./harness.js";
import type { NewOrder } from "./system.js";

export class Dashboard {
  /** Script errors, and what the browser logged as an error (a CSP violation, say). */
  errors: string[] = [];
  /** Messages of any alert(), confirm() or prompt() the page opened. */
  readonly dialogs: string[] = [];

  private constructor(readonly page: Page) {
    page.on("pageerror", (err) => this.errors.push(`script error: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") this.errors.push(`console: ${message.text()}`);
    });
    page.on("dialog", (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }

  /**
   * Opens the dashboard (or `url`, e.g. the operator's login URL) in a new tab and
   * waits until it has its history and is live.
   */
  static async open(url = harness().dashboardUrl): Promise<Dashboard> {
    const dashboard = new Dashboard(await harness().browser.newPage());
    await dashboard.page.goto(url);
    await dashboard.ready();
    return dashboard;
  }

  /**
   * Signs in as the operator named `name`, as a person does who opened the login URL
   * (its token is in the form already): types the name, clicks Sign in, waits for the
   * page to show who is signed in.
   */
  async signIn(name: string): Promise<void> {
    await this.page.locator("#operator-name").fill(name);
    await this.page.getByRole("button", { name: "Sign in" }).click();
    await pollUntil("the page to show the operator", async () => (await this.operator()) === name);
  }

  /** Who the page shows as signed in, or null when it shows the sign-in form. */
  async operator(): Promise<string | null> {
    if (await this.page.locator("#signed-in").isHidden()) return null;
    return this.page.locator("#operator-who").textContent();
  }

  /** Waits until the page has its history and is connected. */
  async ready(): Promise<void> {
    await pollUntil("the page to receive its history", async () => (await this.page.locator("body[data-synced]").count()) === 1);
    await pollUntil("the page to say it is live", async () => (await this.connection()) === "live");
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.ready();
  }

  /** The connection state the page shows: connecting, live or reconnecting. */
  connection(): Promise<string | null> {
    return this.page.locator("#connection").getAttribute("data-state");
  }

  card(id: string): Locator {
    return this.page.locator(`#board article[data-order-id="${id}"]`);
  }

  /** The order's card as a person reads it. */
  async read(id: string) {
    const card = this.card(id);
    return {
      customer: await card.locator(".customer").textContent(),
      item: await card.locator(".item").textContent(),
      total: await card.locator(".total").textContent(),
      status: await card.locator(".badge").textContent(),
      shortId: await card.locator(".order-id").textContent(),
      timeline: await card.locator(".timeline .message").allTextContents(),
      seqs: await card.locator(".timeline .event").evaluateAll((events) => events.map((e) => Number(e.getAttribute("data-seq")))),
      steps: Object.fromEntries(
        await card.locator(".step").evaluateAll((steps) => steps.map((s) => [s.getAttribute("data-step"), s.className.replace("step ", "")])),
      ),
    };
  }

  /** The order's messages in the raw feed, oldest first. */
  async feedMessages(id: string): Promise<string[]> {
    return (await this.page.locator(`#feed li[data-order-id="${id}"] .message`).allTextContents()).reverse();
  }

  /** The order counts that the filter buttons show, by filter (all, awaiting, processing, completed, failed). */
  async counts(): Promise<Record<string, number>> {
    const buttons = this.page.locator("#filters button[data-filter]");
    const pairs = await buttons.evaluateAll((all) =>
      all.map((b) => [b.getAttribute("data-filter") ?? "", Number(b.querySelector(".count")?.textContent ?? "NaN")]),
    );
    return Object.fromEntries(pairs);
  }

  /** The ids of the cards on the board, top to bottom. */
  cardIds(): Promise<(string | null)[]> {
    return this.page.locator("#board article").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-order-id")));
  }

  async waitForStatus(id: string, status: string, timeoutMs = 60_000): Promise<void> {
    let shown: string | null = null;
    await pollUntil(
      `order ${id} to show "${status}" (it shows "${shown}")`,
      async () => {
        shown = await this.card(id).locator(".badge").textContent({ timeout: 1000 });
        return shown === status;
      },
      { timeoutMs: timeoutMs },
    );
  }

  /**
   * Waits until the order's timeline has as many events as `expected`, then checks
   * it is exactly that, by seq (a RegExp stands for a message that matches it), and
   * that the raw feed has the same events, each once, in the order they arrived:
   * nothing missing, nothing twice.
   */
  async expectTimeline(id: string, expected: (string | RegExp)[], { timeoutMs = 60_000 } = {}): Promise<void> {
    const count = () => this.card(id).locator(".timeline .message").count();
    await pollUntil(`order ${id} to show ${expected.length} events`, async () => (await count()) >= expected.length, { timeoutMs: timeoutMs });
    const matches = (e: string | RegExp, message: string) => (typeof e === "string" ? e === message : e.test(message));
    const label = (e: string | RegExp) => (typeof e === "string" ? e : `/${e.source}/`);
    const card = await this.read(id);
    // Where a pattern matches, show the message itself, so that a diff points at real differences.
    const shown = expected.map((e, i) => (matches(e, card.timeline[i] ?? "") ? card.timeline[i] : label(e)));
    expect(card.timeline, "the card's timeline").to.deep.equal(shown);
    expect(card.seqs, "the card's timeline, by seq").to.deep.equal(expected.map((_, i) => i + 1));
    const extra = await this.feedMessages(id);
    const missing = expected.filter((e) => {
      const i = extra.findIndex((message) => matches(e, message));
      if (i >= 0) extra.splice(i, 1);
      return i < 0;
    });
    expect({ missing: missing.map(label), extra }, "the order's events in the feed").to.deep.equal({ missing: [], extra: [] });
  }

  /** Fills in the form and places the order; returns the id that the API answered. */
  async placeOrder(order: { customer: string; item: string; total: number | string }): Promise<string> {
    const form = this.page.locator("#order-form");
    await form.locator("input[name=customer]").fill(order.customer);
    await form.locator("input[name=item]").fill(order.item);
    await form.locator("input[name=total]").fill(String(order.total));
    const answer = this.page.waitForResponse((res) => res.url().endsWith("/api/orders") && res.request().method() === "POST");
    await form.getByRole("button", { name: "Place order" }).click();
    const res = await answer;
    expect(res.status(), await res.text()).to.equal(202);
    return ((await res.json()) as { instance_id: string }).instance_id;
  }

  /** The quantities the inventory panel shows, by item. */
  async stock(): Promise<Record<string, number>> {
    const rows = await this.page
      .locator("#stock li")
      .evaluateAll((items) =>
        items.map((li) => [li.querySelector(".stock-name")?.textContent ?? "", Number(li.querySelector(".stock-quantity")?.textContent)]),
      );
    return Object.fromEntries(rows);
  }

  /** Waits until no toast is showing and every animation that ends has ended (for a clean screenshot). */
  async settled(): Promise<void> {
    await pollUntil("the page to settle", () =>
      this.page.evaluate(
        () => document.querySelector("#toasts > *") === null && document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity),
      ),
    );
  }

  /** Saves a screenshot of what the page shows to test-artifacts/browser/<name>.png. */
  async screenshot(name: string, fullPage = false): Promise<string> {
    const file = path.join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage });
    return file;
  }

  /** Fails the test if the page had script errors or logged errors; `except` are expected ones. */
  expectNoErrors(...except: RegExp[]): void {
    const unexpected = this.errors.filter((e) => !except.some((pattern) => pattern.test(e)));
    this.errors = [];
    expect(unexpected, "errors on the page").to.deep.equal([]);
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

export type { NewOrder };
