//! One operator's link to the shared journal for the bench: an uploader that sends the local
//! journal's entries in order with `append_from` (retrying the same batch until it is in), and
//! a listener that waits on `LISTEN cockpit_journal` and reads the new shared entries with
//! `read_after`, recording when each of the other operators' entries arrived.

#![allow(dead_code)]

use cockpit::core::journal::Entry;
use cockpit::io::shared::{SharedStore, SharedTarget};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// One shared entry of another operator, as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// (origin journal id, local seq).
    pub key: (String, u64),
    /// When it arrived here.
    pub at: Instant,
}

/// A running uploader and listener.
pub struct TeamPipeline {
    origin: Arc<Mutex<String>>,
    received: Arc<Mutex<Vec<Received>>>,
    uploader: tokio::task::JoinHandle<()>,
    listener: tokio::task::JoinHandle<()>,
}

const READ_BATCH: u32 = 1000;

async fn upload(store: SharedStore, origin: Arc<Mutex<String>>, mut rx: UnboundedReceiver<Entry>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(e) = rx.try_recv() {
            batch.push(e);
        }
        let id = {
            let mut o = origin.lock().expect("origin");
            if o.is_empty() && batch[0].seq == 1 {
                *o = batch[0].hash.clone();
            }
            o.clone()
        };
        while let Err(e) = store.append_from(&id, &batch).await {
            eprintln!("upload failed, retrying: {e}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn listen(
    store: SharedStore,
    url: String,
    origin: Arc<Mutex<String>>,
    received: Arc<Mutex<Vec<Received>>>,
) {
    let mut listener = sqlx::postgres::PgListener::connect(&url)
        .await
        .expect("connect the listener");
    listener
        .listen("cockpit_journal")
        .await
        .expect("LISTEN cockpit_journal");
    let mut last = 0u64;
    loop {
        loop {
            let batch = match store.read_after(last, READ_BATCH).await {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("read failed, retrying: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let at = Instant::now();
            let own = origin.lock().expect("origin").clone();
            let mut got = received.lock().expect("received");
            for s in &batch {
                last = s.entry.seq;
                if s.origin.journal != own {
                    got.push(Received {
                        key: (s.origin.journal.clone(), s.origin.seq),
                        at,
                    });
                }
            }
            if (batch.len() as u32) < READ_BATCH {
                break;
            }
        }
        if listener.recv().await.is_err() {
            // sqlx reconnects on the next recv; the read after it catches up.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl TeamPipeline {
    /// Starts the uploader and the listener of one operator; entries sent to the returned
    /// sender (the local journal's, in order, once durable) are uploaded.
    pub async fn start(
        store: SharedStore,
        target: &SharedTarget,
    ) -> (Self, UnboundedSender<Entry>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let origin = Arc::new(Mutex::new(String::new()));
        let received = Arc::new(Mutex::new(Vec::new()));
        let uploader = tokio::spawn(upload(store.clone(), origin.clone(), rx));
        let listener = tokio::spawn(listen(
            store,
            target.url.clone(),
            origin.clone(),
            received.clone(),
        ));
        (
            TeamPipeline {
                origin,
                received,
                uploader,
                listener,
            },
            tx,
        )
    }

    /// This operator's local journal id (empty before its first entry).
    pub fn origin(&self) -> String {
        self.origin.lock().expect("origin").clone()
    }

    /// The other operators' entries received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("received").clone()
    }

    /// Stops both tasks.
    pub async fn stop(self) {
        self.listener.abort();
        let _ = self.uploader.await;
    }
}
