// runtime-kit web view: the live parts (server-sent events). The pages read without it.
"use strict";

function parse(event) {
  return JSON.parse(event.data);
}

function setStatus(element, status) {
  element.textContent = status;
  element.dataset.status = status;
}

function twoDigits(number) {
  return String(number).padStart(2, "0");
}

// A <time datetime="...Z"> shows its moment in the browser's time zone (the server wrote UTC).
function showLocalTime(element) {
  const moment = new Date(element.dateTime);
  if (Number.isNaN(moment.getTime())) return;
  const date = `${moment.getFullYear()}-${twoDigits(moment.getMonth() + 1)}-${twoDigits(moment.getDate())}`;
  const time = [moment.getHours(), moment.getMinutes(), moment.getSeconds()].map(twoDigits).join(":");
  element.textContent = `${date} ${time}`;
}

function followJob(article) {
  const source = new EventSource(article.dataset.events);
  const statusBadge = document.getElementById("job-status");
  const rows = document.getElementById("interim-rows");
  const logs = document.getElementById("logs");
  source.addEventListener("status", (event) => setStatus(statusBadge, parse(event).status));
  source.addEventListener("interim", (event) => {
    const data = parse(event);
    rows.insertAdjacentHTML("afterbegin", data.rows);
    while (rows.rows.length > 50) rows.deleteRow(rows.rows.length - 1);
    document.getElementById("charts").innerHTML = data.charts;
    document.getElementById("interim-count").textContent = String(data.count);
  });
  source.addEventListener("log", (event) => {
    const atBottom = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
    logs.append(document.createTextNode(parse(event).text));
    if (atBottom) logs.scrollTop = logs.scrollHeight;
  });
  source.addEventListener("end", (event) => {
    const data = parse(event);
    source.close();
    setStatus(statusBadge, data.status);
    document.getElementById("outcome").innerHTML = data.outcome;
    if (data.charts) document.getElementById("charts").innerHTML = data.charts;
    const cancel = document.getElementById("cancel-form");
    if (cancel) cancel.remove();
    article.dataset.final = "";
  });
}

function followJobs(table) {
  const source = new EventSource(table.dataset.events);
  source.addEventListener("status", (event) => {
    const data = parse(event);
    const row = table.querySelector(`tr[data-job-id="${CSS.escape(data.id)}"]`);
    if (row) {
      setStatus(row.querySelector(".status"), data.status);
    } else {
      document.getElementById("jobs-news").hidden = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) form.requestSubmit();
  for (const element of document.querySelectorAll("time[datetime]")) showLocalTime(element);
  const article = document.getElementById("job");
  if (article && !("final" in article.dataset)) followJob(article);
  const table = document.getElementById("jobs");
  if (table && table.dataset.events) followJobs(table);
});
