// Keeps every .notifications-bell badge in step with /ws/notifications/ (reconnects with backoff;
// stops on 4401, which means the session is gone).
(function () {
  "use strict";
  function start(bell) {
    var badge = bell.querySelector(".notifications-bell-count");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + (bell.dataset.wsPath || "/ws/notifications/");
    var delay = 1000;
    function show(count) {
      badge.textContent = String(count);
      badge.dataset.count = String(count);
      badge.hidden = count === 0;
    }
    function connect() {
      var socket = new WebSocket(url);
      socket.onopen = function () { delay = 1000; };
      socket.onmessage = function (event) {
        var msg = JSON.parse(event.data);
        if (msg.type === "unread_count") { show(msg.count); }
        if (msg.type === "notification") {
          bell.dispatchEvent(new CustomEvent("notification", { detail: msg.notification, bubbles: true }));
        }
      };
      socket.onclose = function (event) {
        if (event.code === 4401) { return; }
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  }
  function init() { document.querySelectorAll(".notifications-bell").forEach(start); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
