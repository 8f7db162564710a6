/* ek-recorder-test.h: EkRecorder's entry points for tests only
 *
 * Included by tests, never by the product: they act on the test sources
 * (EK_MEDIA_SOURCE_TEST) as a real device would act on the recorder.
 */
#pragma once

#include "ek-recorder.h"

G_BEGIN_DECLS

/* Make the camera vanish and come back, and set the microphone's loudness
 * (0.0 - 1.0), as a real device would; make the camera stop delivering
 * pictures without an error, and resume. */
void             ek_recorder_simulate_camera_loss       (EkRecorder *self);
void             ek_recorder_simulate_camera_return     (EkRecorder *self);
void             ek_recorder_simulate_microphone_loss   (EkRecorder *self);
void             ek_recorder_simulate_microphone_return (EkRecorder *self);
void             ek_recorder_simulate_camera_stall      (EkRecorder *self,
                                                         gboolean    stalled);
void             ek_recorder_set_test_volume            (EkRecorder *self,
                                                         double      volume);

G_END_DECLS
