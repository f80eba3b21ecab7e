// Runs inside the bench's host page, before the script tag: times what a person sees, with
// performance.now() in the page itself, so nothing of Playwright's round trips is counted.
// Every wait resolves with { dom, frame }: when the awaited state was first in the DOM (a
// MutationObserver or a frame noticed it; layout is forced to tell it is laid out), and the time
// of the animation frame that paints it (that frame's requestAnimationFrame callback).
(function () {
  // The panel reopens as it was left in this tab; every measured load starts with it closed.
  try {
    sessionStorage.clear();
  } catch (e) {
    // storage blocked: nothing was saved either
  }
  var bench = (window.__bench = { ready: null });
  var readyResolve;
  bench.ready = new Promise(function (r) {
    readyResolve = r;
  });
  bench.onReady = function () {
    readyResolve(performance.now());
  };

  function shadow() {
    var host = document.querySelector('imbachat-widget');
    return host && host.shadowRoot;
  }
  function laidOut(el) {
    if (!el) return false;
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }

  function waitFor(check) {
    return new Promise(function (resolve) {
      var dom = null;
      var observed = [];
      var mo = new MutationObserver(function () {
        test(false);
      });
      function observe(node) {
        if (!node || observed.indexOf(node) >= 0) return;
        observed.push(node);
        mo.observe(node, { childList: true, subtree: true, characterData: true, attributes: true });
      }
      function test(inFrame) {
        if (dom !== null) return;
        var root = shadow();
        observe(root);
        if (!check(root)) return;
        dom = performance.now();
        mo.disconnect();
        // Found inside a frame callback: this frame paints it. Found by a mutation between frames:
        // the next frame does.
        if (inFrame) resolve({ dom: dom, frame: dom });
        else
          requestAnimationFrame(function () {
            resolve({ dom: dom, frame: performance.now() });
          });
      }
      function frame() {
        test(true);
        if (dom === null) requestAnimationFrame(frame);
      }
      observe(document.documentElement);
      requestAnimationFrame(frame);
    });
  }

  var round = function (v) {
    return Math.round(v * 10) / 10;
  };

  /** The API requests the widget started from t0 until the awaited frame: where the wait went. */
  function requests(t0, t1) {
    return performance
      .getEntriesByType('resource')
      .filter(function (e) {
        return e.name.indexOf('/api/v1/') >= 0 && e.startTime >= t0 && e.startTime <= t1;
      })
      .map(function (e) {
        return { name: e.name.replace(/^.*\/api\/v1\/[^/]+\//, ''), start: round(e.startTime - t0), end: round(e.responseEnd - t0) };
      });
  }

  function since(t0) {
    return function (r) {
      return { dom: r.dom - t0, frame: r.frame - t0, requests: requests(t0, r.frame) };
    };
  }

  /**
   * When the browser started on the script tag: the parser reaching it (the inline mark right
   * before it) or, earlier, the preload scanner fetching its URL, whichever came first.
   */
  function scriptTagStart() {
    var mark = performance.getEntriesByName('imbachat-script-tag')[0].startTime;
    var tag = document.querySelector('script[src*="/imbachat/v1/"]');
    var fetched = tag && performance.getEntriesByName(tag.src)[0];
    return { at: fetched ? Math.min(mark, fetched.startTime) : mark, mark: mark };
  }

  // Script tag → launcher painted.
  bench.launcher = waitFor(function (root) {
    return !!root && laidOut(root.querySelector('button.launcher'));
  }).then(function (r) {
    var start = scriptTagStart();
    bench.t0 = start.at;
    return { dom: r.dom - start.at, frame: r.frame - start.at, markAfterFetchMs: round(start.mark - start.at) };
  });

  /** Click on the launcher → the dialog list's first rows laid out. */
  bench.openList = function () {
    var root = shadow();
    var wait = waitFor(function (r) {
      return !!r && laidOut(r.querySelector('.dialog-item'));
    });
    var t0 = performance.now();
    root.querySelector('button.launcher').click();
    return wait.then(since(t0));
  };

  /** Click on the dialog named `name` → its log holds `lastText`. */
  bench.openDialog = function (name, lastText) {
    var root = shadow();
    var item = Array.prototype.find.call(root.querySelectorAll('.dialog-item'), function (b) {
      return b.getAttribute('aria-label') === name;
    });
    if (!item) return Promise.reject(new Error('no dialog named ' + name + ' in the list'));
    var wait = waitFor(function (r) {
      var log = r && r.querySelector('[role=log]');
      return !!log && log.textContent.indexOf(lastText) >= 0 && laidOut(log);
    });
    var t0 = performance.now();
    item.click();
    return wait.then(since(t0));
  };

  /** The widget's files, from the script tag's start. Cross-origin without Timing-Allow-Origin, so
   *  only start and end are known (sizes read 0): a cache hit shows as a near-zero span. */
  bench.resources = function () {
    var mark = bench.t0;
    return performance
      .getEntriesByType('resource')
      .filter(function (e) {
        return e.name.indexOf('/imbachat/v1/') >= 0;
      })
      .map(function (e) {
        return {
          name: e.name.replace(/^.*\/imbachat\/v1\//, ''),
          start: round(e.startTime - mark),
          end: round(e.responseEnd - mark),
        };
      });
  };
})();
