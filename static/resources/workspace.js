// 我的课例: refresh the transcoding percentage of running videos from the status API.
(function () {
  "use strict";
  var EVERY_MS = 5000;
  function refresh(node) {
    fetch(node.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var running = ["uploading", "queued", "processing"].indexOf(data.status) >= 0;
        node.textContent = data.status_label + (running ? " " + data.progress + "%" : "") +
          (data.status === "failed" && data.error ? "：" + data.error : "");
        if (running) setTimeout(function () { refresh(node); }, EVERY_MS);
      })
      .catch(function () { setTimeout(function () { refresh(node); }, EVERY_MS * 3); });
  }
  document.querySelectorAll(".yk-video-progress[data-running]").forEach(function (node) {
    setTimeout(function () { refresh(node); }, EVERY_MS);
  });
})();
