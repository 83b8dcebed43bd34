// The operator: who is signed in, if anyone. Approving, rejecting, restocking and
// clearing need the operator, who signs in with the operator token (the login URL
// notifications prints carries it in its #fragment) and a name: the session is an
// HttpOnly cookie the page never sees, and approvals carry the session's name.
import { messageOf, toast, ui } from "./dom.js";

/** @typedef {import("./api.js").Api} Api */

const signInFirst = "Sign in as the operator to do this";

export class Operator {
  /** The signed-in operator's name; null when nobody is signed in (the actions are then disabled). */
  /** @type {string | null} */
  name = null;
  /** Told when someone signs in or out. */
  /** @type {(() => void)[]} */
  #listeners = [];

  /** @param {() => void} listener */
  onChange(listener) {
    this.#listeners.push(listener);
  }

  /**
   * Enables a button of the operator's when someone is signed in (and it is not `busy`);
   * otherwise disables it and says why.
   * @param {HTMLButtonElement} button
   * @param {boolean} busy
   */
  only(button, busy) {
    button.disabled = busy || this.name === null;
    if (this.name === null) {
      button.title = signInFirst;
      button.dataset.reason = "signed-out";
    } else {
      button.removeAttribute("title");
      delete button.dataset.reason;
    }
  }

  /**
   * Shows who is signed in (or the sign-in form), and enables the operator's buttons or not.
   * @param {string | null} name
   */
  set(name) {
    this.name = name;
    document.body.dataset.operator = name === null ? "signed-out" : "signed-in";
    ui.signIn.hidden = name !== null;
    ui.signedIn.hidden = name === null;
    ui.operatorWho.textContent = name ?? "";
    for (const listener of this.#listeners) listener();
  }

  /**
   * The sign-in form and the sign-out button; and who is signed in already (a session
   * cookie from before).
   * @param {Api} api
   */
  wire(api) {
    // The login URL carries the token in its fragment (never sent to a server): take it
    // into the form, and out of the address bar and the history.
    const fromUrl = new URLSearchParams(location.hash.slice(1)).get("token");
    if (fromUrl !== null) {
      ui.operatorToken.value = fromUrl;
      history.replaceState(null, "", location.pathname + location.search);
    }
    ui.operatorName.value = localStorage.getItem("operator-name") ?? "";

    ui.signIn.addEventListener("submit", async (e) => {
      e.preventDefault();
      const name = ui.operatorName.value.trim();
      try {
        const answer = await api("POST", "/api/session", { token: ui.operatorToken.value, name });
        localStorage.setItem("operator-name", name);
        ui.operatorToken.value = "";
        this.set(answer.operator);
        toast(`Signed in as ${answer.operator}`, "success");
      } catch (err) {
        toast(`Could not sign in: ${messageOf(err)}`, "error");
      }
    });

    ui.signOut.addEventListener("click", async () => {
      await api("DELETE", "/api/session").catch(() => {}); // signed out here whatever it answers
      this.set(null);
    });

    this.set(null);
    api("GET", "/api/session").then(
      (answer) => this.set(answer.operator),
      () => this.set(null),
    );
  }
}
