/* ek-test-hooks.h: automation for the end-to-end tests, only in test-hooks builds
 *
 * Built only with `-Dtest_hooks=true` (config.h: EK_ENABLE_TEST_HOOKS); a release
 * has none of this. The hooks are application actions, exported on D-Bus like every
 * GApplication action, so a test drives a real `exam-kiosk` process and can kill
 * it. With EK_TEST_BUS_NAME set, the application also owns that name on the
 * session bus so the test can find it.
 *
 * app.test-activate (s)    activate a detailed action ("pledge.accept",
 *                          "win.start-mode::formal") on the page on show
 * app.test-login (ss)      type the exam token and ID number, press Log in
 * app.test-face-direction (s)  "left" or "right": the head turn the face login
 *                          page's challenge asks for (random otherwise)
 * app.test-check-all       tick every check box on the page on show
 * app.test-click (s)       press the button whose label is this text
 * app.test-type (s)        type into the first text field on show and press Enter
 * app.test-answer (ss)     question id and answer value (JSON text, "null" clears):
 *                          set through the answer store of the question view on
 *                          show, as the view's inputs do
 * app.test-status          state a{sv}: page, stage, step, phase, countdown-ms,
 *                          countdown-text, error, text, questions, warning, unread,
 *                          sequence, session-id, lockdown ("engaged", "relaxed",
 *                          "off"), signal (the exam page's proctoring notice,
 *                          "" while none); with a written test's question view also
 *                          answers (JSON object: question id to value, as the
 *                          view's store holds them), answers-read-only and
 *                          unanswered; refreshed every 100 ms
 */
#pragma once

#include "ek-application.h"

G_BEGIN_DECLS

void ek_test_hooks_install (EkApplication *app);

G_END_DECLS
