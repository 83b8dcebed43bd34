// The dashboard in Chromium against the running system: what a person watching a
// demo sees and does. Each test places its own orders and waits for them, so the
// tests share one stack and one page without depending on each other.
import path from "node:path";
import { expect } from "chai";
import { Dashboard } from "./dashboard.js";
import { pollUntil } from "@dapr-orders/service-kit/poll";
import { harness, settings } from "./harness.js";
import {
  approvedAndShipped,
  clearStock,
  decide,
  decideAsSidecar,
  finished,
  loginUrl,
  placeOrder,
  rejected,
  restock,
  say,
  straightThrough,
  type NewOrder,
} from "./system.js";

/** The operator who signs in on the page: the approver of what the page approves. */
const approver = "morgan";
const expensive = settings.approvalThreshold + 500;

describe("the dashboard's operator", function () {
  it("without a session: the operator's buttons are disabled and say why; placing orders works", async () => {
    await restock();
    const visitor = await Dashboard.open();
    try {
      const id = await visitor.placeOrder({ customer: "visitor", item: "pear", total: expensive });
      await visitor.waitForStatus(id, "awaiting approval");
      expect(await visitor.operator()).to.equal(null);
      for (const button of [visitor.page.getByRole("button", { name: "Restock" }), visitor.page.getByRole("button", { name: "Clear" })]) {
        expect(await button.isDisabled()).to.equal(true);
        expect(await button.getAttribute("title")).to.equal("Sign in as the operator to do this");
      }
      expect(await visitor.page.locator("#operator-note").isVisible()).to.equal(true);
      expect(await visitor.page.locator("#operator-note").textContent()).to.match(/^Sign in as the operator/);
      const card = visitor.card(id);
      for (const name of ["Approve", "Reject"]) expect(await card.getByRole("button", { name }).isDisabled(), name).to.equal(true);
      expect(await card.locator(".decision-hint").textContent()).to.equal("Sign in as the operator to decide");
      expect(await card.locator(".decision-hint").isVisible()).to.equal(true);
      await decide(id, "kendall", false); // done with it
      visitor.expectNoErrors();
    } finally {
      await visitor.close();
    }
  });

  it("signs in with the login URL notifications printed, which leaves the address bar; then the buttons work", async () => {
    const url = loginUrl();
    expect(url).to.match(new RegExp(`^http://localhost:\\d+/#token=[\\w-]{20,}$`));
    // The stack listens on 127.0.0.1; the printed URL names localhost, as a person would open it.
    const page = await Dashboard.open(url);
    try {
      expect(new URL(page.page.url()).hash, "the token left the address bar").to.equal("");
      expect(await page.page.locator("#operator-token").inputValue(), "the token is in the form").to.not.equal("");
      await page.signIn("ines");
      const cookies = await harness().browser.cookies(url);
      const session = cookies.find((c) => c.name === "operator_session");
      expect(session, "the session cookie").to.not.equal(undefined);
      expect(session).to.include({ httpOnly: true, sameSite: "Strict" });
      expect(await page.page.evaluate(() => document.cookie), "the page's script cannot read it").to.not.include("operator_session");
      expect(await page.page.getByRole("button", { name: "Restock" }).isDisabled()).to.equal(false);
      expect(await page.page.locator("#operator-note").isVisible()).to.equal(false);

      await page.page.getByRole("button", { name: "Sign out" }).click();
      await pollUntil("the page to show the sign-in form", async () => (await page.operator()) === null);
      expect(await page.page.getByRole("button", { name: "Restock" }).isDisabled()).to.equal(true);
      page.expectNoErrors();
    } finally {
      await page.close();
    }
  });
});

describe("dashboard", function () {
  let dashboard: Dashboard;

  before(async () => {
    await restock();
    // A person opens the login URL notifications printed at start, and signs in under their name.
    dashboard = await Dashboard.open(loginUrl());
    await dashboard.signIn(approver);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && dashboard !== undefined) {
      const name = `failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`;
      await dashboard.screenshot(name, true).catch(() => {});
    }
    if (dashboard !== undefined) dashboard.errors = []; // each test checks its own
  });

  after(async () => {
    await dashboard?.close();
  });

  it("is served under a strict Content-Security-Policy, and shows that it is live", async () => {
    const res = await fetch(harness().dashboardUrl);
    const policy = res.headers.get("content-security-policy") ?? "";
    expect(policy).to.include("script-src 'self'").and.include("object-src 'none'").and.include("base-uri 'none'");
    expect(policy).to.include("frame-ancestors 'none'");
    expect(policy).not.to.include("unsafe-inline");
    expect(await dashboard.connection()).to.equal("live");
    expect(await dashboard.page.locator("#connection").textContent()).to.include("Live");
    dashboard.expectNoErrors();
  });

  it("places an order from the form and shows its whole timeline as it happens", async () => {
    const order = { customer: "joni", item: "kiwi", total: 121.5 };
    const id = await dashboard.placeOrder(order);
    await dashboard.expectTimeline(id, straightThrough(order));
    await dashboard.waitForStatus(id, "completed");
    const card = await dashboard.read(id);
    expect(card).to.deep.include({ customer: "joni", item: "kiwi", total: "121.50", status: "completed", shortId: id.slice(0, 8) });
    expect(card.steps).to.deep.equal({ stock: "done", payment: "done", shipping: "done" });
    expect((await dashboard.cardIds())[0], "the newest order is on top").to.equal(id);
    // With tracing on (Java runs Zipkin under the stack), the card links to its order's trace.
    const zipkin = harness().stack.zipkinUrl?.replace("127.0.0.1", "localhost");
    if (zipkin !== undefined) {
      const href = await dashboard.page.locator(`article[data-order-id="${id}"] a.trace-link`).getAttribute("href");
      expect(href?.slice(0, zipkin.length), "the trace link's address").to.equal(zipkin);
      expect(href?.slice(zipkin.length)).to.match(/^\/zipkin\/traces\/[0-9a-f]{32}$/);
    }
    dashboard.expectNoErrors();
  });

  it("approves an expensive order with a click, under the signed-in operator's name, and shows it go through", async () => {
    const order = { customer: "kendall", item: "pear", total: expensive };
    const id = await dashboard.placeOrder(order);
    await dashboard.waitForStatus(id, "awaiting approval");
    const card = dashboard.card(id);
    expect(await card.locator(".deadline").textContent()).to.match(/^Decide by \S/);
    expect((await dashboard.read(id)).steps).to.deep.equal({ stock: "done", approval: "waiting", payment: "todo", shipping: "todo" });

    const sent = dashboard.page.waitForRequest((req) => req.url().endsWith(`/api/orders/${id}/approve`));
    await card.getByRole("button", { name: "Approve" }).click();
    expect((await sent).postDataJSON(), "the page sends the decision only").to.deep.equal({ approved: true });
    await dashboard.expectTimeline(id, approvedAndShipped(order, approver));
    await dashboard.waitForStatus(id, "completed");
    expect(await card.getByRole("button").count(), "no Approve or Reject once decided").to.equal(0);
    expect(await card.locator(".decided").textContent(), "the approver is who signed in").to.equal(`approved by ${approver}`);
    dashboard.expectNoErrors();
  });

  it("rejects an order with a click, and shows why it failed", async () => {
    const order = { customer: "kendall", item: "apple", total: expensive };
    const id = await dashboard.placeOrder(order);
    await dashboard.waitForStatus(id, "awaiting approval");
    await dashboard.card(id).getByRole("button", { name: "Reject" }).click();
    await dashboard.expectTimeline(id, rejected(order, approver));
    await dashboard.waitForStatus(id, "failed");
    expect(await dashboard.card(id).locator(".reason").textContent()).to.equal(say.rejected(approver));
    expect((await dashboard.read(id)).steps).to.deep.equal({ stock: "undone", approval: "failed", payment: "skipped", shipping: "skipped" });
    dashboard.expectNoErrors();
  });

  it("restocks from the inventory panel, and keeps the counts current as orders take stock", async () => {
    await clearStock();
    await dashboard.reload();
    await pollUntil("the panel to say there is no stock", async () => /No stock/.test((await dashboard.page.locator("#stock-note").textContent()) ?? ""));
    expect(await dashboard.stock()).to.deep.equal({});

    await dashboard.page.getByRole("button", { name: "Restock" }).click();
    const full = Object.fromEntries(settings.items.map((item) => [item, settings.restockQuantity]));
    await pollUntil("the panel to show the restocked counts", async () => JSON.stringify(await dashboard.stock()) === JSON.stringify(full));

    // An order placed elsewhere takes a unit: the panel follows by itself.
    const order = { customer: "joni", item: "orange", total: 12 };
    const id = await placeOrder(order);
    await dashboard.expectTimeline(id, straightThrough(order));
    await pollUntil("the panel to show one orange less", async () => (await dashboard.stock()).orange === settings.restockQuantity - 1);
    dashboard.expectNoErrors();
  });

  it("shows a customer's name as text, never as markup", async () => {
    const customer = `<img src=x onerror=alert(1)><b>bold</b>`;
    const order = { customer, item: "apple", total: 10 };
    const id = await dashboard.placeOrder(order);
    await dashboard.expectTimeline(id, straightThrough(order));
    const card = await dashboard.read(id);
    expect(card.customer).to.equal(customer);
    expect(card.timeline[0]).to.equal(say.processing(order));
    expect(await dashboard.page.locator("#board img, #feed img, #board b, #feed b, #toasts img").count(), "elements made of the name").to.equal(0);
    expect(dashboard.dialogs, "dialogs opened").to.deep.equal([]);
    dashboard.expectNoErrors(); // a blocked inline handler would show as a CSP violation here
  });

  it("shows the error that order-processor answers for an invalid order", async () => {
    // Spaces pass the form's own check; order-processor refuses them.
    const answer = dashboard.page.waitForResponse((res) => res.url().endsWith("/api/orders"));
    const form = dashboard.page.locator("#order-form");
    await form.locator("input[name=customer]").fill("   ");
    await form.locator("input[name=item]").fill("kiwi");
    await form.locator("input[name=total]").fill("5");
    await form.getByRole("button", { name: "Place order" }).click();
    expect((await answer).status()).to.equal(400);
    await pollUntil(
      "the form to show the error",
      async () => (await dashboard.page.locator("#order-error").textContent()) === "customer must be a non-empty string",
    );
    dashboard.expectNoErrors(/status of 400/);
  });

  it("loses nothing and shows nothing twice when the page is reloaded in the middle of an order", async () => {
    const order = { customer: "amara", item: "kiwi", total: expensive };
    const id = await placeOrder(order);
    await dashboard.waitForStatus(id, "awaiting approval");
    // The rest of the order's events come while the page reloads.
    await dashboard.card(id).getByRole("button", { name: "Approve" }).click();
    await dashboard.page.reload();
    await dashboard.ready();
    await dashboard.expectTimeline(id, approvedAndShipped(order, approver));
    await dashboard.waitForStatus(id, "completed");
    dashboard.expectNoErrors();
  });

  it("reconnects by itself when notifications restarts, and catches up on what it missed", async () => {
    const { stack } = harness();
    const order = { customer: "ravi", item: "pear", total: expensive };
    const id = await placeOrder(order);
    await dashboard.waitForStatus(id, "awaiting approval");
    await dashboard.page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    const before = (await dashboard.read(id)).timeline;
    await stack.stopApp("notifications");
    await pollUntil("the page to say it is reconnecting", async () => (await dashboard.connection()) === "reconnecting");
    // The order goes on while no notifications is there (nor its sidecar, which alone
    // may pass an approval on): approved at order-processor as that sidecar would. Its
    // events wait in pub/sub.
    await decideAsSidecar(id, "kendall", true);
    expect(await finished(id)).to.equal("COMPLETED");
    await stack.startApp("notifications");

    await pollUntil("the page to be live again", async () => (await dashboard.connection()) === "live", { timeoutMs: 60_000 });
    // Dapr delivers the events that waited all at once, not necessarily in the order
    // they were published: the board shows them by seq, each once.
    await dashboard.expectTimeline(id, approvedAndShipped(order, "kendall"));
    expect((await dashboard.read(id)).timeline.slice(0, before.length), "the events it had before").to.deep.equal(before);
    await dashboard.waitForStatus(id, "completed");
    expect(await dashboard.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), "the page was not reloaded").to.equal(true);
    // While notifications was away, the browser logged its failed attempts to reconnect.
    dashboard.expectNoErrors(/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/);
  });

  it("fits a laptop and a phone (screenshots in test-artifacts/browser)", async () => {
    // A board with an order in each state, for the screenshots.
    const orders: [NewOrder, ((id: string) => Promise<void>) | undefined][] = [
      [{ customer: "Sofia Marin", item: "apple", total: 1240 }, (id) => decide(id, "kendall", true)],
      [{ customer: "nowhere", item: "orange", total: 75 }, undefined],
      [{ customer: "Ravi Patel", item: "kiwi", total: 6200 }, (id) => decide(id, "kendall", true)],
      [{ customer: "Amara Okafor", item: "orange", total: 86.4 }, undefined],
      [{ customer: "Leo Park", item: "durian", total: 42 }, undefined],
      [{ customer: "Kendall Brooks", item: "pear", total: 1890 }, undefined],
    ];
    const ids: string[] = [];
    for (const [order, after] of orders) {
      const id = await placeOrder(order);
      ids.push(id);
      if (after !== undefined) {
        await dashboard.waitForStatus(id, "awaiting approval");
        await after(id);
      }
    }
    await Promise.all(ids.slice(0, -1).map((id) => finished(id)));
    await dashboard.waitForStatus(ids.at(-1)!, "awaiting approval");
    await pollUntil("every card to show its final events", async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await dashboard.read(id)).status));
      return statuses.join() === "completed,failed,failed,completed,failed,awaiting approval";
    });

    await dashboard.page.setViewportSize({ width: 1440, height: 900 });
    await dashboard.page.evaluate(() => window.scrollTo(0, 0));
    await dashboard.settled();
    const laptop = await dashboard.screenshot("dashboard-laptop");

    await dashboard.page.setViewportSize({ width: 390, height: 844 });
    await dashboard.page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await dashboard.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "page wider than a phone screen, by px").to.be.at.most(0);
    await dashboard.screenshot("dashboard-phone");
    await dashboard.screenshot("dashboard-phone-full", true);
    await dashboard.page.setViewportSize({ width: 1440, height: 900 });
    console.log(`      screenshots: ${path.relative(process.cwd(), laptop)} and dashboard-phone*.png beside it`);
    dashboard.expectNoErrors();
  });
});
