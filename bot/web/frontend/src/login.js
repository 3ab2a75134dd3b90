// The login page works without script; this only puts the cursor where the user will type.
const user = document.querySelector('input[name="user"]');
if (user) (user.value ? document.querySelector('input[name="password"]') : user).focus();
