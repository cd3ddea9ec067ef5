/* Resumable video upload (media_pipeline.uploads). Plain ES5, no framework: it must run on old phones.
 *
 * The file goes in parts, two or three at a time: straight to S3 on presigned URLs, or to the site in
 * chunks (embedded default). Which parts arrived is always asked of the server, so after a dropped
 * link, a closed tab or a reboot, choosing the same file again sends only the rest. XHR rather than
 * fetch for the parts themselves: only XHR reports upload progress.
 */
(function () {
  "use strict";
  if (window.youkeUploaderLoaded) return;
  window.youkeUploaderLoaded = true;

  var PARALLEL = 3;
  var RETRY_DELAYS = [1, 2, 4, 8, 16, 30]; // seconds; after the last one the upload pauses itself
  // Paused by the network or the storage, it keeps looking this often and carries on by itself when they
  // answer: a storage restart or a long cut fires no "online" event (the browser's own link never dropped).
  var WAIT_SECONDS = 15;
  var NETWORK_PAUSE = "连接中断，已暂停，已传的部分不会丢失。每 " + WAIT_SECONDS + " 秒自动重试，恢复后自动继续，也可以点“继续”。";
  var URL_MAX_AGE = 10 * 60 * 1000; // part URLs live 15 min on the server; fetch fresh ones before that
  var SPEED_WINDOW = 10 * 1000; // speed is averaged over the last 10 s
  var STORE_PREFIX = "youke-upload:";

  function storeKey(file) {
    return STORE_PREFIX + file.name + ":" + file.size + ":" + (file.lastModified || 0);
  }
  function storage() {
    try { return window.localStorage; } catch (e) { return null; } // private mode on old Safari
  }
  function remember(file, id, finished) {
    var s = storage();
    if (s) s.setItem(storeKey(file), JSON.stringify({ id: id, name: file.name, size: file.size, finished: !!finished }));
  }
  function recall(file) {
    var s = storage();
    try { return s && JSON.parse(s.getItem(storeKey(file)) || "null"); } catch (e) { return null; }
  }
  function forget(file) {
    var s = storage();
    if (s) s.removeItem(storeKey(file));
  }
  function unfinished() {
    var s = storage(), names = [];
    if (!s) return names;
    for (var i = 0; i < s.length; i++) {
      var key = s.key(i);
      if (key && key.indexOf(STORE_PREFIX) === 0) {
        try {
          var entry = JSON.parse(s.getItem(key));
          if (!entry.finished) names.push(entry.name);
        } catch (e) { /* not ours */ }
      }
    }
    return names;
  }

  var PAGE_EXPIRED = "页面已过期，请刷新页面后重新选择同一个文件，已传的部分会保留。";

  // A non-JSON answer: Django's CSRF page (the page outlived its token) or a server error page.
  function plainAnswerError(status) {
    if (status === 403) return PAGE_EXPIRED;
    if (status >= 500) return "服务器暂时出错（" + status + "），已暂停，已传的部分会保留。稍后会自动重试，也可以点“继续”。";
    return "请求失败（" + status + "），请刷新页面后重试。";
  }

  function megabytes(bytes) {
    return bytes < 1048576 ? Math.round(bytes / 1024) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  }
  function speedText(bytesPerSecond) {
    var kb = bytesPerSecond / 1024;
    return kb >= 1024 ? (kb / 1024).toFixed(1) + " MB/秒" : Math.round(kb) + " KB/秒";
  }
  function durationText(seconds) {
    seconds = Math.ceil(seconds);
    if (seconds < 60) return seconds + " 秒";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " 分 " + (seconds % 60) + " 秒";
    return Math.floor(minutes / 60) + " 小时 " + (minutes % 60) + " 分";
  }

  function Uploader(root) {
    this.root = root;
    this.api = root.getAttribute("data-api");
    // Rendered as a form widget (no request context) the token comes from the form itself.
    var formToken = document.querySelector("input[name=csrfmiddlewaretoken]");
    this.csrf = root.getAttribute("data-csrf") || (formToken && formToken.value) || "";
    this.resultUrl = root.getAttribute("data-result-url");
    this.input = root.querySelector(".yk-uploader__file");
    this.bar = root.querySelector(".yk-uploader__bar");
    this.stats = root.querySelector(".yk-uploader__stats");
    this.status = root.querySelector(".yk-uploader__status");
    this.pauseButton = root.querySelector("[data-action=pause]");
    this.cancelButton = root.querySelector("[data-action=cancel]");
    var self = this;
    this.input.addEventListener("change", function () {
      if (self.input.files && self.input.files[0]) self.start(self.input.files[0]);
    });
    this.pauseButton.addEventListener("click", function () {
      if (self.paused) self.resume(); else self.pause("已暂停。点“继续”接着上传。");
    });
    this.cancelButton.addEventListener("click", function () { self.cancel(); });
    // A link that came back: carry on by itself if it was the network that stopped us.
    window.addEventListener("online", function () { if (self.paused && self.pausedByNetwork) self.resume(); });
    var names = unfinished();
    if (names.length) {
      var resume = root.querySelector(".yk-uploader__resume");
      resume.textContent = "有未传完的文件：" + names.join("、") + "。重新选择同一个文件即可从断点继续。";
      resume.hidden = false;
    }
  }

  Uploader.prototype.request = function (method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": this.csrf } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(this.api + path, options).then(function (response) {
      return response.json().then(
        function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: { error: plainAnswerError(response.status), plain: true } }; }
      );
    });
  };

  Uploader.prototype.say = function (text, kind) {
    this.status.textContent = text;
    this.status.className = "yk-uploader__status" + (kind ? " is-" + kind : "");
  };

  Uploader.prototype.fail = function (text) {
    this.stopAll();
    this.busy = false;
    this.samples = []; // no speed or time left for an upload that stopped
    this.progress(); // the parts cut off are no longer counted
    this.say(text, "error");
    this.pauseButton.hidden = true;
    this.input.disabled = false;
  };

  Uploader.prototype.start = function (file) {
    var self = this;
    this.stopAll();
    this.file = file;
    this.done = {};
    this.inflight = {};
    this.loaded = {};
    this.urls = {};
    this.retries = {};
    this.samples = [];
    this.paused = false;
    this.finished = false;
    this.completing = false;
    this.busy = true;
    this.input.disabled = true;
    this.bar.hidden = false;
    this.bar.className = "yk-uploader__bar";
    this.stats.hidden = false;
    this.stats.textContent = "";
    this.pauseButton.textContent = "暂停";
    this.pauseButton.hidden = false;
    this.cancelButton.hidden = false;
    this.say("正在准备上传…");
    this.progress();
    var saved = recall(file);
    var ready = saved ? this.request("GET", saved.id + "/") : Promise.resolve(null);
    // Each step answers {info} to go on with, or {refusal} (an error answer) to show.
    ready.then(function (answer) {
      if (answer && answer.status === 200 && answer.data.status === "active" && answer.data.size === file.size) {
        self.say("找到上次未传完的部分，从断点继续…");
        return { info: answer.data };
      }
      if (answer && answer.status === 200 && answer.data.status === "complete" && answer.data.size === file.size) {
        return { finished: answer.data };
      }
      if (answer && answer.status === 401) return { refusal: answer };
      forget(file);
      return self.request("POST", "", { filename: file.name, size: file.size, content_type: file.type })
        .then(function (created) {
          if (created.status !== 201) return { refusal: created };
          remember(file, created.data.id);
          created.data.size = file.size;
          created.data.parts = [];
          return { info: created.data };
        });
    }).then(function (step) {
      if (step.refusal) return self.refused(step.refusal);
      if (step.finished) return self.reuse(step.finished);
      self.upload = step.info;
      self.take(step.info.parts);
      self.say("正在上传…");
      self.pump();
    }, function () {
      self.pause(NETWORK_PAUSE, true);
    });
  };

  Uploader.prototype.refused = function (answer) {
    var message = answer.data.error || "上传失败。";
    if (answer.status >= 500) return this.pause(message, true); // the upload is intact: go on later
    if (answer.status === 401 && answer.data.login_url) {
      message += "已传的部分会保留，登录后重新选择同一个文件即可继续。";
      this.fail(message);
      var link = document.createElement("a");
      // Back to this page after signing in, not to the API address the server saw.
      link.href = answer.data.login_url.split("?")[0] + "?next=" + encodeURIComponent(location.pathname + location.search);
      link.textContent = "去登录";
      this.status.appendChild(link);
      return;
    }
    this.fail(message);
  };

  // Mark as done the parts the server holds whole; the rest will be (re)sent.
  Uploader.prototype.take = function (parts) {
    this.done = {};
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].size === this.partSize(parts[i].number)) this.done[parts[i].number] = true;
    }
    this.progress();
  };

  Uploader.prototype.partSize = function (number) {
    var u = this.upload;
    return number < u.parts_total ? u.part_size : u.size - u.part_size * (u.parts_total - 1);
  };

  Uploader.prototype.missing = function () {
    var list = [];
    for (var n = 1; n <= this.upload.parts_total; n++) {
      if (!this.done[n] && !this.inflight[n]) list.push(n);
    }
    return list;
  };

  Uploader.prototype.count = function (map) {
    var c = 0;
    for (var k in map) if (Object.prototype.hasOwnProperty.call(map, k)) c++;
    return c;
  };

  Uploader.prototype.pump = function () {
    if (this.paused || !this.upload) return;
    var waiting = this.missing();
    if (!waiting.length && !this.count(this.inflight)) return this.complete();
    var free = PARALLEL - this.count(this.inflight);
    var self = this;
    var batch = waiting.slice(0, free);
    if (!batch.length) return;
    if (this.upload.backend !== "s3") {
      for (var i = 0; i < batch.length; i++) this.send(batch[i], this.api + this.upload.id + "/chunks/" + batch[i] + "/");
      return;
    }
    // Presigned URLs for the next few parts at once, reused until they near their expiry.
    var now = Date.now(), need = [];
    for (var j = 0; j < waiting.length && need.length < PARALLEL * 2; j++) {
      var cached = this.urls[waiting[j]];
      if (!cached || now - cached.at > URL_MAX_AGE) need.push(waiting[j]);
    }
    var signed = need.length ? this.request("POST", this.upload.id + "/parts/", { numbers: need }) : Promise.resolve(null);
    for (var b = 0; b < batch.length; b++) this.inflight[batch[b]] = "signing";
    signed.then(function (answer) {
      for (var b2 = 0; b2 < batch.length; b2++) delete self.inflight[batch[b2]];
      if (answer && answer.status !== 200) return self.refused(answer);
      if (answer) for (var n in answer.data.urls) self.urls[n] = { url: answer.data.urls[n], at: now };
      if (self.paused) return;
      for (var k = 0; k < batch.length; k++) self.send(batch[k], self.urls[batch[k]].url);
    }, function () {
      for (var b3 = 0; b3 < batch.length; b3++) delete self.inflight[batch[b3]];
      self.retry(batch[0]);
    });
  };

  Uploader.prototype.send = function (number, url) {
    var self = this, size = this.partSize(number), offset = (number - 1) * this.upload.part_size;
    var xhr = new XMLHttpRequest();
    this.inflight[number] = xhr;
    xhr.open("PUT", url);
    if (this.upload.backend !== "s3") xhr.setRequestHeader("X-CSRFToken", this.csrf);
    xhr.upload.onprogress = function (event) { self.loaded[number] = event.loaded; self.progress(); };
    xhr.onload = function () {
      delete self.inflight[number];
      delete self.loaded[number];
      if (xhr.status >= 200 && xhr.status < 300) {
        self.done[number] = true;
        self.retries[number] = 0;
        self.progress();
        self.drained();
        return self.pump();
      }
      if (self.upload.backend !== "s3" && xhr.status === 403) {
        var denied = {};
        try { denied = JSON.parse(xhr.responseText); } catch (e) { /* Django's CSRF page */ }
        return self.refused({ status: 403, data: { error: denied.error || PAGE_EXPIRED } });
      }
      if (self.upload.backend === "s3" && xhr.status === 403) delete self.urls[number]; // expired: sign again
      if (xhr.status >= 400 && xhr.status < 500 && xhr.status !== 403 && xhr.status !== 408 && xhr.status !== 429) {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* S3's XML */ }
        return self.refused({ status: xhr.status, data: { error: data.error || "第 " + number + " 块被拒绝（" + xhr.status + "）。", login_url: data.login_url } });
      }
      self.retry(number);
    };
    xhr.onerror = xhr.ontimeout = function () {
      delete self.inflight[number];
      delete self.loaded[number];
      self.progress();
      self.drained();
      self.retry(number);
    };
    xhr.send(this.file.slice(offset, offset + size));
  };

  Uploader.prototype.retry = function (number) {
    if (this.paused) return;
    var attempt = this.retries[number] || 0;
    if (attempt >= RETRY_DELAYS.length) {
      return this.pause(NETWORK_PAUSE, true);
    }
    this.retries[number] = attempt + 1;
    this.say("网络不稳定，" + RETRY_DELAYS[attempt] + " 秒后重试…");
    var self = this;
    this.timer = setTimeout(function () {
      if (!self.paused) { self.say("正在上传…"); self.pump(); }
    }, RETRY_DELAYS[attempt] * 1000);
  };

  Uploader.prototype.progress = function () {
    if (!this.file) return;
    var sent = 0, n;
    if (this.upload) {
      for (n in this.done) if (this.done[n]) sent += this.partSize(+n);
      for (n in this.loaded) sent += this.loaded[n];
    }
    var total = this.file.size;
    if (this.finished) sent = total;
    var percent = total ? Math.floor((sent / total) * 100) : 0;
    if (this.finished) percent = 100;
    else if (percent >= 100) percent = 99; // 100 % only when the server has checked the whole file
    this.bar.setAttribute("aria-valuenow", String(percent));
    this.bar.setAttribute("aria-valuetext", "已上传 " + percent + "%（" + megabytes(Math.min(sent, total)) + " / " + megabytes(total) + "）");
    this.bar.firstElementChild.style.width = percent + "%";
    var now = Date.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW) this.samples.shift();
    var first = this.samples[0], elapsed = (now - first[0]) / 1000, speed = elapsed > 0.5 ? (sent - first[1]) / elapsed : 0;
    var text = megabytes(Math.min(sent, total)) + " / " + megabytes(total);
    if (!this.paused && !this.finished && speed > 0) {
      text += " · 速度 " + speedText(speed) + " · 剩余约 " + durationText((total - sent) / speed);
    }
    this.stats.textContent = text;
  };

  Uploader.prototype.stopAll = function () {
    clearTimeout(this.timer);
    for (var n in this.inflight || {}) {
      var xhr = this.inflight[n];
      if (xhr && xhr.abort) { xhr.onerror = xhr.onload = null; xhr.abort(); }
    }
    this.inflight = {};
    this.loaded = {};
  };

  // Paused by the teacher, the parts on their way are let finish (the server keeps them, so
  // the bar does not fall back); none is started. A network pause has nothing left in flight.
  Uploader.prototype.pause = function (message, byNetwork) {
    if (byNetwork) this.stopAll(); else clearTimeout(this.timer);
    this.paused = true;
    this.pausedByNetwork = !!byNetwork;
    this.pauseMessage = message;
    this.samples = [];
    this.pauseButton.textContent = "继续";
    var left = this.count(this.inflight || {});
    if (left && !byNetwork) this.say("已暂停：正在传的 " + left + " 块传完就停，已传的部分不会丢失…");
    else this.say(message, byNetwork ? "error" : "");
    this.progress();
    if (byNetwork) this.watch();
  };

  // Not paused by the teacher: look again in a while, and go on if the server and the storage answer.
  Uploader.prototype.watch = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      if (self.paused && self.pausedByNetwork) self.resume();
    }, WAIT_SECONDS * 1000);
  };

  // The last part in flight while paused has landed: now the upload is really still.
  Uploader.prototype.drained = function () {
    if (this.paused && !this.pausedByNetwork && !this.count(this.inflight)) this.say(this.pauseMessage);
  };

  Uploader.prototype.resume = function () {
    var self = this;
    clearTimeout(this.timer); // a 继续 click while a look-again was due: one resume, not two
    if (!this.upload) return this.start(this.file);
    this.paused = false;
    this.retries = {};
    this.pauseButton.textContent = "暂停";
    this.say("正在向服务器核对已收到的部分…");
    this.request("GET", this.upload.id + "/").then(function (answer) {
      if (answer.status !== 200 || answer.data.status !== "active") return self.refused(answer.status === 200 ? { status: 410, data: { error: answer.data.message || "这次上传已结束，请重新选择文件。" } } : answer);
      self.take(answer.data.parts);
      self.say("正在上传…");
      self.pump();
    }, function () {
      self.pause(NETWORK_PAUSE, true);
    });
  };

  Uploader.prototype.cancel = function () {
    var self = this, upload = this.upload, file = this.file;
    this.stopAll();
    this.paused = true;
    this.upload = null;
    if (file) forget(file);
    this.pauseButton.hidden = true;
    this.cancelButton.hidden = true;
    this.bar.hidden = true;
    this.stats.hidden = true;
    this.input.disabled = false;
    this.input.value = "";
    this.say("已取消上传。");
    if (upload) self.request("DELETE", upload.id + "/").then(null, function () { /* cleanup job removes it later */ });
  };

  Uploader.prototype.complete = function () {
    if (this.completing) return;
    this.completing = true;
    var self = this;
    this.say("已全部上传，正在检查视频文件…");
    this.request("POST", this.upload.id + "/complete/").then(function (answer) {
      self.completing = false;
      if (answer.status === 409 && answer.data.missing) {
        for (var i = 0; i < answer.data.missing.length; i++) delete self.done[answer.data.missing[i]];
        self.say("有部分内容没有收到，正在补传…");
        return self.pump();
      }
      if (answer.status >= 500) return self.refused(answer); // paused; 继续 completes it
      if (answer.status !== 200) {
        if (answer.status === 422 || answer.status === 410) {
          // Over: the file was checked and refused (kept on the server), or the upload expired.
          forget(self.file);
          self.upload = null;
          self.cancelButton.hidden = true;
          self.bar.className = "yk-uploader__bar is-error";
        }
        return self.refused(answer);
      }
      self.succeed(answer.data);
    }, function () {
      self.completing = false;
      self.retry(0);
    });
  };

  // The same file, already uploaded whole: hand over its video again instead of sending it twice.
  Uploader.prototype.reuse = function (data) {
    this.upload = data;
    this.succeed({ id: data.id, video_id: data.video_id, status: data.video_status, status_label: data.video_status_label }, true);
  };

  Uploader.prototype.succeed = function (data, reused) {
    remember(this.file, data.id || this.upload.id, true);
    this.finished = true;
    this.busy = false;
    this.progress();
    this.pauseButton.hidden = true;
    this.cancelButton.hidden = true;
    this.input.disabled = false;
    this.writeTarget(data.video_id);
    var label = data.status_label || data.status;
    this.say(reused
      ? "这个文件已经上传过了（" + label + "），编号 " + data.video_id + "，无需重新上传。"
      : "上传成功：视频已收到（" + label + "），编号 " + data.video_id + "。", "done");
    if (this.resultUrl) {
      var link = document.createElement("a");
      link.href = this.resultUrl + "#video-" + data.video_id;
      link.textContent = "查看处理进度";
      this.status.appendChild(document.createTextNode(" "));
      this.status.appendChild(link);
    }
    var event;
    try {
      event = new CustomEvent("youke:uploaded", { bubbles: true, detail: { videoId: data.video_id, status: data.status } });
    } catch (e) {
      event = document.createEvent("CustomEvent");
      event.initCustomEvent("youke:uploaded", true, false, { videoId: data.video_id, status: data.status });
    }
    this.root.dispatchEvent(event);
  };

  Uploader.prototype.writeTarget = function (videoId) {
    var name = this.root.getAttribute("data-target");
    var form = this.root.closest ? this.root.closest("form") : null;
    var selector = "input[name='" + name.replace(/'/g, "\\'") + "']";
    var target = (form && form.querySelector(selector)) || document.querySelector(selector);
    if (!target) {
      target = document.createElement("input");
      target.type = "hidden";
      target.name = name;
      this.root.appendChild(target);
    }
    target.value = videoId;
    try { target.dispatchEvent(new Event("change", { bubbles: true })); } catch (e) { /* old browsers */ }
  };

  function init() {
    var roots = document.querySelectorAll("[data-youke-uploader]");
    for (var i = 0; i < roots.length; i++) {
      if (!roots[i].youkeUploader) roots[i].youkeUploader = new Uploader(roots[i]);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  // A part added to a lesson package in the admin (Wagtail's InlinePanel) brings a new widget.
  document.addEventListener("w-formset:added", init);
})();
