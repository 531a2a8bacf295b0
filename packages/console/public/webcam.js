// @ts-check

/**
 * Starts the default camera into a <video>; the caller stops the returned stream.
 * @param {HTMLVideoElement} video
 * @returns {Promise<MediaStream>}
 */
export async function startWebcam(video) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('this browser offers no camera here (a camera needs http://127.0.0.1 or https)');
  }
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  return stream;
}

/**
 * @param {HTMLVideoElement} video
 * @param {MediaStream | undefined} stream
 */
export function stopWebcam(video, stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
  video.srcObject = null;
  video.hidden = true;
}

/**
 * One JPEG frame of what the <video> shows now.
 * @param {HTMLVideoElement} video
 * @returns {Promise<Blob>}
 */
export function captureJpeg(video) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0) return Promise.reject(new Error('the camera has no picture yet'));
  context.drawImage(video, 0, 0);
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('could not encode the frame'))),
      'image/jpeg',
      0.9,
    );
  });
}
