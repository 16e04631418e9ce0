// Site-wide behaviour without inline script (the Content-Security-Policy allows scripts from this origin only).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
