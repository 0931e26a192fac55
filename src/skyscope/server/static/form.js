// The plan form, built from a plan's description (describe_plan: parameters and a JSON Schema):
// device parameters offer the devices of the kind they take (a list of them: a multi-select),
// numbers are number inputs, defaults are filled in, and docstring markup (``x``) is rendered.
// readPlanForm turns the form back into an item's args and kwargs, leaving out defaults.

const KIND_TEST = {
  Readable: (d) => d.is_readable,
  Movable: (d) => d.is_movable,
  Flyable: (d) => d.is_flyable,
};

// Docstring text as DOM nodes: ``code`` and `code` (and :role:`code`) become <code>.
export function richText(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /(?::[a-z]+:)?``?([^`]+?)``?/g;
  let last = 0;
  for (const match of (text || "").matchAll(pattern)) {
    fragment.append(text.slice(last, match.index));
    const code = document.createElement("code");
    code.textContent = match[1];
    fragment.append(code);
    last = match.index + match[0].length;
  }
  fragment.append((text || "").slice(last));
  return fragment;
}

// The schema of one value, without its "or null" (and whether null was allowed).
function unwrap(schema) {
  const options = schema.anyOf || [];
  const others = options.filter((option) => option.type !== "null");
  if (options.length && others.length === 1) return { ...others[0], nullable: true };
  return { ...schema, nullable: false };
}

function devicesOf(kind, devices) {
  const test = KIND_TEST[kind] || (() => true);
  return Object.keys(devices).filter((name) => test(devices[name])).sort();
}

function optionsFor(select, names, blank) {
  if (blank) select.append(new Option("–", ""));
  for (const name of names) select.append(new Option(name, name));
}

// One control for a parameter: its element and how to read it (undefined: left out).
function control(param, schema, devices) {
  const value = unwrap(schema || {});
  const kind = value["x-skyscope-kind"];
  const itemKind = value.type === "array" && value.items && value.items["x-skyscope-kind"];
  const fallback = schema && schema.default !== undefined ? schema.default : undefined;
  if (kind && kind !== "callable") {
    const select = document.createElement("select");
    optionsFor(select, devicesOf(kind, devices), value.nullable || fallback !== undefined);
    if (typeof fallback === "string") select.value = fallback;
    return { element: select, read: () => select.value || undefined };
  }
  if (itemKind && itemKind !== "callable") {
    const select = document.createElement("select");
    select.multiple = true;
    const names = devicesOf(itemKind, devices);
    optionsFor(select, names, false);
    select.size = Math.min(6, Math.max(2, names.length));
    for (const option of select.options) option.selected = (fallback || []).includes(option.value);
    return {
      element: select,
      read: () => {
        const chosen = [...select.selectedOptions].map((option) => option.value);
        return chosen.length ? chosen : undefined;
      },
    };
  }
  const input = document.createElement("input");
  if (value.type === "integer" || value.type === "number") {
    input.type = "number";
    input.step = value.type === "integer" ? "1" : "any";
    if (typeof fallback === "number") input.value = String(fallback);
    return {
      element: input,
      read: () => {
        if (!input.value.trim()) return undefined;
        const number = Number(input.value);
        if (!Number.isFinite(number) || (value.type === "integer" && !Number.isInteger(number))) {
          throw new Error(`${param.name} must be ${value.type === "integer" ? "a whole number" : "a number"}`);
        }
        return number;
      },
    };
  }
  if (value.type === "boolean") {
    input.type = "checkbox";
    input.checked = fallback === true;
    return { element: input, read: () => input.checked };
  }
  if (Array.isArray(value.enum)) {
    const select = document.createElement("select");
    optionsFor(select, value.enum.map(String), value.nullable);
    if (fallback != null) select.value = String(fallback);
    return { element: select, read: () => select.value || undefined };
  }
  if (fallback != null) input.value = typeof fallback === "string" ? fallback : JSON.stringify(fallback);
  const positional = param.kind.name === "VAR_POSITIONAL";
  input.placeholder = positional ? "values, separated by commas" : (value.type === "object" ? "{…} (JSON)" : "");
  return {
    element: input,
    read: () => {
      const text = input.value.trim();
      if (!text) return undefined;
      if (positional || (value.type === "array" && !text.startsWith("["))) {
        return text.split(",").map((part) => parseJson(part.trim()));
      }
      return value.type === "string" ? text : parseJson(text);
    },
  };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text; // a device name or other word
  }
}

// Fill ``box`` with one labelled control per parameter of ``plan``; returns the fields.
export function buildPlanForm(box, plan, devices) {
  box.replaceChildren();
  const fields = [];
  if (!plan) return fields;
  const schema = plan.schema || { properties: {}, required: [] };
  const required = new Set(schema.required || []);
  for (const param of plan.parameters || []) {
    const type = (param.annotation && param.annotation.type) || "";
    const property = (schema.properties || {})[param.name];
    const kind = property && unwrap(property)["x-skyscope-kind"];
    if (kind === "callable" || type.includes("__CALLABLE__") || param.kind.name === "VAR_KEYWORD") continue;
    const { element, read } = control(param, property, devices);
    element.name = param.name;
    element.dataset.kind = param.kind.name;
    if (required.has(param.name) && element.type !== "checkbox") element.required = true;
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.className = "param-name";
    name.textContent = required.has(param.name) ? `${param.name} *` : param.name;
    const hint = document.createElement("small");
    hint.className = "hint";
    hint.append(richText(param.description || ""));
    label.append(name, element, hint);
    box.append(label);
    const fallback = property && property.default !== undefined ? property.default : undefined;
    fields.push({ param, element, read, fallback, required: required.has(param.name) });
  }
  return fields;
}

// Show ``item``'s values in the fields (editing a queued item).
export function fillPlanForm(fields, item) {
  const given = { ...(item.kwargs || {}) };
  const args = [...(item.args || [])];
  for (const { param, element } of fields) {
    if (param.kind.name === "VAR_POSITIONAL") {
      if (args.length) given[param.name] = args.splice(0);
    } else if (args.length && param.kind.name !== "KEYWORD_ONLY") {
      given[param.name] = args.shift();
    }
    if (!(param.name in given)) continue;
    const value = given[param.name];
    if (element.multiple) {
      for (const option of element.options) option.selected = value.includes(option.value);
    } else if (element.type === "checkbox") {
      element.checked = Boolean(value);
    } else if (param.kind.name === "VAR_POSITIONAL") {
      element.value = value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
    } else {
      element.value = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
}

// The item's args and kwargs from the fields; a value equal to its default is left out.
// A missing or malformed value throws an error naming the parameter (the form does not let the
// browser validate: its bubbles name no parameter and cannot be read by a test).
export function readPlanForm(fields) {
  const args = [], kwargs = {};
  for (const { param, read, fallback, required } of fields) {
    const value = read();
    if (value === undefined && required) throw new Error(`${param.name} is required`);
    if (value === undefined) continue;
    if (param.kind.name === "VAR_POSITIONAL") {
      args.push(...value);
    } else if (fallback === undefined || JSON.stringify(value) !== JSON.stringify(fallback)) {
      kwargs[param.name] = value;
    }
  }
  return { args, kwargs };
}
