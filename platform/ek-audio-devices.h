/* ek-audio-devices.h: headsets and Bluetooth audio
 *
 * Read from the sound cards the kernel lists (/proc/asound/cards: a USB or built-in card
 * named as a headset or headphones) and the Bluetooth adapters in sysfs. What a sound
 * server routes to a plugged jack is not visible here.
 */
#pragma once

#include "ek-finding.h"
#include "ek-probe-sources.h"

G_BEGIN_DECLS

void ek_audio_devices_probe (const EkProbeSources *sources,
                             GPtrArray            *findings);

G_END_DECLS
