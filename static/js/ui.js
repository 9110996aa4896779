// Small DOM helpers shared by the pages: build elements, show an API error in words (never
// swallow it), forms whose submit runs an async action with the button disabled meanwhile.

import { t } from "./i18n.js";

/** h("button", {class: "x", onclick}, "text", child…) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the children of `element`. */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
  return element;
}

/** An API error (or any error) as a message a person can act on, with the details. */
export function errorBox(error) {
  // Pages may register words for an error ("error.<name>") or a detail ("error.<name>.<value>");
  // without them the API's own message is shown.
  const own = (key) => (t(key) === key ? null : t(key));
  const details = (error.details || []).map((d) => h("li", {}, own(`error.${error.name}.${d.value}`) ?? (d.value ? `${d.value}: ${d.message}` : d.message)));
  let message = own(`error.${error.name}`) ?? (error.message || t("common.error"));
  if (error.retryAfter) message += ` (${error.retryAfter} s)`;
  return h("div", { class: "error", role: "alert", "data-error": error.name || "Error" }, h("strong", {}, message), details.length ? h("ul", {}, details) : null);
}

export function notice(text) {
  return h("div", { class: "notice", role: "status" }, text);
}

/** A labelled input; `name` is the form field name and the id. */
export function field(label, name, attributes = {}) {
  const id = attributes.id || `f-${name}`;
  const control =
    attributes.type === "textarea"
      ? h("textarea", { ...attributes, type: undefined, id, name })
      : attributes.type === "select"
        ? h("select", { ...attributes, type: undefined, options: undefined, id, name }, (attributes.options || []).map(([value, text]) => h("option", { value, selected: value === attributes.value }, text)))
        : h("input", { type: "text", ...attributes, id, name });
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

/**
 * A form that runs `action(values, form)` on submit: the submit button is disabled while
 * it runs, and an error is shown above the buttons (and announced), never lost.
 */
export function form(children, action, { submit = t("common.save"), className = "" } = {}) {
  const status = h("div", { class: "form-status" });
  const button = h("button", { type: "submit" }, submit);
  const element = h("form", { class: `form ${className}`, novalidate: true }, children, status, h("div", { class: "actions" }, button));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(element).entries());
    button.disabled = true;
    fill(status);
    try {
      const result = await action(values, element);
      if (typeof result === "string") fill(status, notice(result));
      else if (result instanceof Node) fill(status, result);
    } catch (error) {
      fill(status, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

/**
 * A button that runs `action(button)` on a click: disabled while it runs; an error is shown
 * in `status` (never lost), a string it returns as a notice there.
 */
export function actionButton(label, action, { status, className = "secondary", ariaLabel } = {}) {
  const button = h("button", { type: "button", class: className, "aria-label": ariaLabel }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const result = await action(button);
      if (typeof result === "string") fill(status, notice(result));
    } catch (error) {
      fill(status, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/**
 * Fills `container` with a button that asks before it acts. Clicked, it becomes the
 * `question` (a group named by it) with `yes` and Cancel, and the focus moves to `yes`;
 * `yes` runs `action` as an actionButton does, and after an error or Cancel the first
 * button comes back (focused).
 */
export function askFirst(container, { label, ariaLabel, question, yes, action, status }) {
  const showButton = (focus) => {
    fill(container, h("button", { type: "button", class: "secondary small", "aria-label": ariaLabel, onclick: ask }, label));
    if (focus) container.querySelector("button").focus();
  };
  const confirmed = async () => {
    try {
      return await action();
    } catch (error) {
      showButton(true);
      throw error;
    }
  };
  const ask = () => {
    fill(
      container,
      h(
        "div",
        { class: "confirm", role: "group", "aria-label": question },
        h("span", {}, question),
        actionButton(yes, confirmed, { status, className: "danger small" }),
        h("button", { type: "button", class: "secondary small", onclick: () => showButton(true) }, t("common.cancel")),
      ),
    );
    container.querySelector("button").focus();
  };
  showButton();
  return container;
}

/** A panel with a heading that names it (`id`-h). */
export function section(id, title, ...children) {
  return h("section", { class: "panel", id, "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), ...children);
}

/** A labelled checkbox; in a form's values it is "on" when checked. */
export function checkbox(label, name, checked) {
  const id = `f-${name}`;
  return h("div", { class: "check" }, h("input", { type: "checkbox", id, name, checked }), h("label", { for: id }, label));
}

/**
 * A table from rows: columns are [header, row → cell]. Each cell carries its column's name
 * (data-label), so the rows become cards on a phone (styles.css), each value under its
 * name, instead of a table that scrolls sideways (issue 19); `cards: false` keeps a table.
 */
export function table(columns, rows, { empty = t("common.none"), caption, cards = true } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: cards ? "table-wrap as-cards" : "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map(([header]) => h("th", { scope: "col" }, header)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([header, cell]) => h("td", { "data-label": header }, cell(row)))))),
    ),
  );
}

/** Runs an async loader into `element`, showing loading text and then the result or error. */
// The latest load of each element: an earlier one that answers later (a filter changed
// while the first page was on its way) must not overwrite it.
const latestLoad = new WeakMap();

export async function load(element, loader) {
  const mine = {};
  latestLoad.set(element, mine);
  fill(element, h("p", { class: "loading" }, t("common.loading")));
  let content;
  try {
    content = await loader();
  } catch (error) {
    content = errorBox(error);
  }
  if (latestLoad.get(element) === mine) fill(element, content);
}

/**
 * The first of `routes` (`[pattern, page, tag]`, `:name` in a pattern taking one path
 * segment) that matches `pathname`: `{ page, tag, params }`, or null. The portal's and the
 * console's routers both use it.
 */
export function matchRoute(routes, pathname) {
  for (const [pattern, page, tag] of routes) {
    const names = [];
    const regex = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)")) + "/?$");
    const found = pathname.match(regex);
    if (found) return { page, tag, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])])) };
  }
  return null;
}

/** A fresh Idempotency-Key: one per confirmed action, so a repeated click counts once. */
export function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Asks before a consequential action: `container` shows `question` (what will happen, in
 * words) with `yes` and Cancel; the focus moves to `yes`. `action` runs once on yes (the
 * button is disabled meanwhile), its string answer shown in `status`; Cancel calls
 * `cancelled`.
 */
export function confirmStep(container, { question, details = [], yes, action, status, cancelled }) {
  const yesButton = actionButton(
    yes,
    async () => {
      const result = await action();
      return result;
    },
    { status, className: "danger" },
  );
  yesButton.dataset.confirm = "yes";
  fill(
    container,
    h(
      "div",
      { class: "confirm-step", role: "group", "aria-label": question },
      h("p", { class: "question" }, h("strong", {}, question)),
      details.length ? h("ul", {}, details.map((d) => h("li", {}, d))) : null,
      h("div", { class: "actions" }, yesButton, h("button", { type: "button", class: "secondary", onclick: () => cancelled?.() }, t("common.cancel"))),
    ),
  );
  yesButton.focus();
}

/**
 * The shells' main menu: `items` ([href, text, current, linkAttribute]) in a list that, on a
 * phone, folds behind a Menu button (styles.css `nav.collapsible`) instead of taking the
 * screen before the content.
 */
export function collapsibleMenu(items, { id, label, toggleText, linkAttribute, className = "" }) {
  const list = h(
    "ul",
    { id },
    items.map(([href, text, current]) => h("li", {}, h("a", { href, [linkAttribute]: true, "aria-current": current ? "page" : null }, text))),
  );
  const toggle = h(
    "button",
    {
      type: "button",
      class: "menu-toggle secondary",
      "aria-expanded": "false",
      "aria-controls": id,
      onclick: () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("open", open);
      },
    },
    h("span", { "aria-hidden": "true" }, "☰ "),
    toggleText,
  );
  const nav = h("nav", { class: `menu collapsible ${className}`.trim(), "aria-label": label }, toggle, list);
  return nav;
}
