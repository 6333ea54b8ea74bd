// The MCP Apps bridge (io.modelcontextprotocol/ui, 2026-01-26): JSON-RPC 2.0 over postMessage with the host.
// Hand-written, no dependency: the host proxies tools/call to the server; the App never reaches the network.
const bridge = (() => {
  let next = 1;
  const waiting = new Map();
  const handlers = {};
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const msg = event.data;
    if (!msg || msg.jsonrpc !== "2.0") return;
    if (!msg.method && waiting.has(msg.id)) {
      const { resolve, reject } = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message || "the host refused the request"));
      else resolve(msg.result);
      return;
    }
    if (msg.method && handlers[msg.method]) handlers[msg.method](msg.params || {});
    if (msg.method && msg.id !== undefined) post({ jsonrpc: "2.0", id: msg.id, result: {} });
  });
  function post(message) {
    window.parent.postMessage(message, "*");
  }
  function request(method, params) {
    const id = next++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      post({ jsonrpc: "2.0", id, method, params });
    });
  }
  function notify(method, params) {
    post({ jsonrpc: "2.0", method, params });
  }
  function resize() {
    const root = document.documentElement;
    notify("ui/notifications/size-changed", { width: root.scrollWidth, height: root.scrollHeight });
  }
  function theme(context) {
    if (context && (context.theme === "dark" || context.theme === "light")) {
      document.documentElement.dataset.theme = context.theme;
    }
  }
  async function start(name) {
    on("ui/notifications/host-context-changed", theme);
    const init = await request("ui/initialize", {
      protocolVersion: "2026-01-26",
      appInfo: { name, version: "1" },
      appCapabilities: {},
    });
    theme(init && init.hostContext);
    notify("ui/notifications/initialized", {});
    new ResizeObserver(resize).observe(document.body);
    resize();
    return init;
  }
  function on(method, fn) {
    handlers[method] = fn;
  }
  function text(result) {
    return ((result && result.content) || [])
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join("\n");
  }
  return { request, notify, on, start, resize, text };
})();
