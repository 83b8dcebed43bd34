// Shows each notification as it arrives. Text goes in with textContent, never as HTML.
const socket = io();
const state = document.getElementById("connection");
const events = document.getElementById("events");

socket.on("connect", () => { state.textContent = "live"; state.className = "state live"; });
socket.on("disconnect", () => { state.textContent = "reconnecting…"; state.className = "state"; });

socket.on("notification", (event) => {
  const row = document.createElement("li");
  const time = document.createElement("time");
  time.textContent = new Date(event.time).toLocaleTimeString();
  const order = document.createElement("code");
  order.textContent = event.order_id.slice(0, 8);
  const message = document.createElement("span");
  message.textContent = event.message;
  row.append(time, order, message);
  events.prepend(row);
});
