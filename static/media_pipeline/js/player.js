/* The lesson video player: poster first, hls.js only once the viewer presses play.
   Starts on the lowest rung and adapts; 省流量 caps at 240p (remembered on this
   device, on by default when the browser asks to save data); "仅声音" plays the
   audio rendition alone, for links too slow for any picture. Plain ES5 for old phones. */
(function () {
  "use strict";
  var SAVER_KEY = "yk-data-saver";

  function loadScript(src, done) {
    if (window.Hls) { done(); return; }
    var tag = document.querySelector('script[data-hls]');
    if (!tag) {
      tag = document.createElement("script");
      tag.src = src;
      tag.setAttribute("data-hls", "");
      document.head.appendChild(tag);
    }
    tag.addEventListener("load", function () { done(); });
    tag.addEventListener("error", function () { done(new Error("load")); });
  }

  function saverDefault() {
    try {
      var stored = window.localStorage.getItem(SAVER_KEY);
      if (stored !== null) { return stored === "1"; }
    } catch (e) { /* private mode */ }
    var connection = navigator.connection;
    return !!(connection && (connection.saveData || /2g/.test(connection.effectiveType || "")));
  }

  function Player(figure) {
    this.figure = figure;
    this.video = figure.querySelector("video");
    this.button = figure.querySelector(".yk-play");
    this.quality = figure.querySelector(".yk-quality");
    this.saver = figure.querySelector(".yk-saver");
    this.message = figure.querySelector(".yk-player-message");
    this.hls = null;
    this.mode = "video";
    this.saver.checked = saverDefault();
    var self = this;
    this.button.addEventListener("click", function () { self.start(); });
    this.saver.addEventListener("change", function () {
      try { window.localStorage.setItem(SAVER_KEY, self.saver.checked ? "1" : "0"); } catch (e) { /* ignore */ }
      self.applyChoice();
    });
    this.quality.addEventListener("change", function () { self.applyChoice(); });
    figure.ykPlayer = this;
  }

  Player.prototype.say = function (text) {
    this.message.textContent = text;
    this.message.hidden = !text;
  };

  Player.prototype.start = function () {
    var self = this;
    this.button.hidden = true;
    this.say("正在加载播放器…");
    if (window.MediaSource || window.ManagedMediaSource) {
      loadScript(this.figure.getAttribute("data-hls-src"), function (error) {
        if (!error && window.Hls && window.Hls.isSupported()) { self.attach(self.sourceFor(), 0); return; }
        self.native();
      });
    } else {
      this.native();
    }
  };

  Player.prototype.native = function () {
    // Safari on iPhone plays HLS itself and chooses the rung on its own.
    if (this.video.canPlayType("application/vnd.apple.mpegurl")) {
      this.video.src = this.figure.getAttribute("data-master");
      this.say("");
      this.video.play();
    } else {
      this.say("此浏览器无法播放在线视频，请使用下方的“下载课堂用小视频”。");
    }
  };

  Player.prototype.sourceFor = function () {
    this.mode = this.quality.value === "audio" ? "audio" : "video";
    // Sound only: the last picture would stay frozen on screen; say plainly that it is sound alone.
    this.figure.className = this.figure.className.replace(/ ?is-audio-only/g, "") +
      (this.mode === "audio" ? " is-audio-only" : "");
    return this.figure.getAttribute(this.mode === "audio" ? "data-audio" : "data-master");
  };

  Player.prototype.attach = function (source, at) {
    var self = this, Hls = window.Hls;
    if (this.hls) { this.hls.destroy(); }
    // startLevel 0: the master lists the smallest rung first, so the picture
    // comes after ~120 KB; the bandwidth estimate then climbs if the link allows.
    // No bandwidth test (it fetches a segment only to throw it away) and a low first estimate:
    // 自动 starts on the lowest rung and climbs only as the segments prove the link.
    var hls = new Hls({
      startLevel: 0, testBandwidth: false, abrEwmaDefaultEstimate: 200000,
      capLevelToPlayerSize: true, maxBufferLength: 30, backBufferLength: 30
    });
    this.hls = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, function () {
      self.applyChoice(true);
      self.say("");
      if (at) { self.video.currentTime = at; }
      var playing = self.video.play();
      if (playing && playing.catch) { playing.catch(function () { /* autoplay refused: controls remain */ }); }
    });
    hls.on(Hls.Events.ERROR, function (event, data) {
      if (window.console) { window.console.warn("hls.js", data.type, data.details, data.fatal ? "fatal" : ""); }
      if (!data.fatal) { return; }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        self.say("网络不稳定，正在重试…");
        hls.startLoad();
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        self.say("播放出错，请刷新页面或下载视频观看。");
      }
    });
    hls.loadSource(source);
    hls.attachMedia(this.video);
  };

  Player.prototype.levelIndex = function (height) {
    var levels = this.hls ? this.hls.levels : [];
    for (var i = 0; i < levels.length; i++) { if (levels[i].height === height) { return i; } }
    return -1;
  };

  Player.prototype.lowestLevel = function () {
    var levels = this.hls.levels, best = 0;
    for (var i = 1; i < levels.length; i++) { if (levels[i].bitrate < levels[best].bitrate) { best = i; } }
    return best;
  };

  Player.prototype.applyChoice = function (justParsed) {
    if (!this.hls) { return; }
    var wanted = this.quality.value === "audio" ? "audio" : "video";
    if (wanted !== this.mode && !justParsed) {
      this.attach(this.sourceFor(), this.video.currentTime);
      return;
    }
    if (this.mode === "audio") { return; }
    // 240p is the smallest video rung of every ladder: the saver caps there.
    this.hls.autoLevelCapping = this.saver.checked ? this.lowestLevel() : -1;
    var index = this.quality.value === "auto" ? -1 : this.levelIndex(parseInt(this.quality.value, 10));
    if (this.saver.checked && index > this.lowestLevel()) { index = this.lowestLevel(); }
    if (justParsed) {
      // Setting nextLevel = -1 here would also reset the start level (hls.js 1.7): only a chosen rung.
      if (index >= 0) { this.hls.startLevel = index; this.hls.nextLevel = index; }
    } else {
      this.hls.nextLevel = index;  // switch at the next segment, no rebuffering
    }
  };

  function pending(figure) {
    // Transcoding: poll slowly and reload once the video can be played.
    var url = figure.getAttribute("data-status-url");
    var timer = window.setInterval(function () {
      var request = new XMLHttpRequest();
      request.open("GET", url);
      request.onload = function () {
        if (request.status !== 200) { return; }
        var data = JSON.parse(request.responseText);
        var message = figure.querySelector(".yk-player-message");
        if (data.playable) { window.clearInterval(timer); window.location.reload(); return; }
        if (data.status === "failed") { window.clearInterval(timer); }
        message.textContent = data.status === "failed"
          ? "视频处理失败，上传者可在工作台查看原因并重新上传。"
          : "视频正在处理：" + data.status_label + " " + data.progress + "%，完成后即可播放。";
      };
      request.send();
    }, 10000);
  }

  var figures = document.querySelectorAll(".yk-player");
  for (var i = 0; i < figures.length; i++) {
    if (figures[i].getAttribute("data-master")) { new Player(figures[i]); } else { pending(figures[i]); }
  }
})();
