// 复制文件名：缺失材料表中每个文件名后的“复制”按钮，复制它前面 <code> 中的文字。
// 不发任何网络请求，离线可用。内网站点多为 http://，浏览器在非安全连接下不提供 navigator.clipboard，
// 所以先试 clipboard，失败再用选中文字 + execCommand("copy")；两者都不行时选中文字，让人按 Ctrl+C。
// 事件挂在 document 上，Material 的页面切换不会让按钮失效。
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (e) {
      done = false;
    }
    document.body.removeChild(area);
    return done;
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function show(button, label) {
    button.textContent = label;
    window.setTimeout(function () { button.textContent = "复制"; }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.hb-copy") : null;
    if (!button) return;
    var code = button.previousElementSibling;
    if (!code) return;
    var text = code.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { show(button, "已复制"); },
        function () { show(button, fallbackCopy(text) ? "已复制" : "请按 Ctrl+C"); }
      );
    } else if (fallbackCopy(text)) {
      show(button, "已复制");
    } else {
      selectText(code);
      show(button, "请按 Ctrl+C");
    }
  });
})();
