/**
 * stem.js: the Snowball English stemmer of the site's search, loaded by search.js only when a
 * query has a word that no record holds (the words records hold come with their stems in the
 * search export's vocabulary, `search/w/`).
 *
 * This is the source; the site ships its minified build, site-templates/assets/stem.js
 * (`npm run build` in tests/browser, with search.js). As a classic script it registers the
 * stemming function as `IASearch("stem", stem)`; as a node module it exports it.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- Snowball English

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const u8 = (s) => Array.from(encoder.encode(s));

  /** Port of the Snowball runtime of the Rust stemmer tantivy uses (frostem): it works on UTF-8
   *  bytes with the same cursor rules, so non-ASCII words stem identically. */
  class Env {
    constructor(word) {
      this.current = u8(word);
      this.cursor = 0;
      this.limit = this.current.length;
      this.limit_backward = 0;
      this.bra = 0;
      this.ket = 0;
    }
    boundary(i) {
      const n = this.current.length;
      if (i === 0 || i === n) return true;
      if (i < 0 || i > n) return false;
      return (this.current[i] & 0xc0) !== 0x80;
    }
    charAt(i) {
      const c = this.current;
      const b = c[i];
      if (b < 0x80) return b;
      if (b < 0xe0) return ((b & 0x1f) << 6) | (c[i + 1] & 0x3f);
      if (b < 0xf0) return ((b & 0x0f) << 12) | ((c[i + 1] & 0x3f) << 6) | (c[i + 2] & 0x3f);
      return ((b & 0x07) << 18) | ((c[i + 1] & 0x3f) << 12) | ((c[i + 2] & 0x3f) << 6) | (c[i + 3] & 0x3f);
    }
    replace_s(bra, ket, s) {
      const bytes = typeof s === "string" ? u8(s) : s;
      const adjustment = bytes.length - (ket - bra);
      this.current = this.current.slice(0, bra).concat(bytes, this.current.slice(ket));
      this.limit += adjustment;
      if (this.cursor >= ket) this.cursor += adjustment;
      else if (this.cursor > bra) this.cursor = bra;
      return adjustment;
    }
    startsWithAt(at, bytes) {
      if (at < 0 || at + bytes.length > this.current.length) return false;
      for (let i = 0; i < bytes.length; i++) if (this.current[at + i] !== bytes[i]) return false;
      return true;
    }
    eq_s(s) {
      const b = u8(s);
      if (this.cursor >= this.limit) return false;
      if (!this.startsWithAt(this.cursor, b)) return false;
      this.cursor += b.length;
      while (!this.boundary(this.cursor)) this.cursor++;
      return true;
    }
    eq_s_b(s) {
      const b = u8(s);
      if (this.cursor - this.limit_backward < b.length) return false;
      if (!this.boundary(this.cursor - b.length) || !this.startsWithAt(this.cursor - b.length, b)) return false;
      this.cursor -= b.length;
      return true;
    }
    slice_from(s) {
      const bra = this.bra;
      const ket = this.ket;
      const b = u8(s);
      this.replace_s(bra, ket, b);
      this.ket = bra + b.length;
    }
    slice_del() {
      this.slice_from("");
    }
    next_char() {
      this.cursor++;
      while (!this.boundary(this.cursor)) this.cursor++;
    }
    previous_char() {
      this.cursor--;
      while (!this.boundary(this.cursor)) this.cursor--;
    }
    hop(delta) {
      let res = this.cursor;
      while (delta > 0) {
        delta--;
        if (res >= this.limit) return false;
        res++;
        while (res < this.limit && !this.boundary(res)) res++;
      }
      this.cursor = res;
      return true;
    }
    hop_back(delta) {
      let res = this.cursor;
      while (delta > 0) {
        delta--;
        if (res <= this.limit_backward) return false;
        res--;
        while (res > this.limit_backward && !this.boundary(res)) res--;
      }
      this.cursor = res;
      return true;
    }
    inSet(chars, min, max, ch) {
      if (ch > max || ch < min) return false;
      ch -= min;
      return (chars[ch >> 3] & (1 << (ch & 7))) !== 0;
    }
    in_grouping(chars, min, max) {
      if (this.cursor >= this.limit) return false;
      if (!this.inSet(chars, min, max, this.charAt(this.cursor))) return false;
      this.next_char();
      return true;
    }
    go_in_grouping(chars, min, max) {
      while (this.cursor < this.limit) {
        if (!this.inSet(chars, min, max, this.charAt(this.cursor))) return true;
        this.next_char();
      }
      return false;
    }
    in_grouping_b(chars, min, max) {
      if (this.cursor <= this.limit_backward) return false;
      const c = this.cursor;
      this.previous_char();
      if (!this.inSet(chars, min, max, this.charAt(this.cursor))) {
        this.cursor = c;
        return false;
      }
      return true;
    }
    go_in_grouping_b(chars, min, max) {
      while (this.cursor > this.limit_backward) {
        const c = this.cursor;
        this.previous_char();
        if (!this.inSet(chars, min, max, this.charAt(this.cursor))) {
          this.cursor = c;
          return true;
        }
      }
      return false;
    }
    out_grouping(chars, min, max) {
      if (this.cursor >= this.limit) return false;
      if (this.inSet(chars, min, max, this.charAt(this.cursor))) return false;
      this.next_char();
      return true;
    }
    go_out_grouping(chars, min, max) {
      while (this.cursor < this.limit) {
        if (this.inSet(chars, min, max, this.charAt(this.cursor))) return true;
        this.next_char();
      }
      return false;
    }
    out_grouping_b(chars, min, max) {
      if (this.cursor <= this.limit_backward) return false;
      const c = this.cursor;
      this.previous_char();
      if (!this.inSet(chars, min, max, this.charAt(this.cursor))) return true;
      this.cursor = c;
      return false;
    }
    go_out_grouping_b(chars, min, max) {
      while (this.cursor > this.limit_backward) {
        const c = this.cursor;
        this.previous_char();
        if (this.inSet(chars, min, max, this.charAt(this.cursor))) {
          this.cursor = c;
          return true;
        }
      }
      return false;
    }
    find_among(amongs) {
      let i = 0;
      let j = amongs.length;
      const c = this.cursor;
      const l = this.limit;
      let common_i = 0;
      let common_j = 0;
      let first_key_inspected = false;
      for (;;) {
        const k = i + ((j - i) >> 1);
        let diff = 0;
        let common = Math.min(common_i, common_j);
        const w = amongs[k];
        for (let lvar = common; lvar < w[0].length; lvar++) {
          if (c + common === l) {
            diff = -1;
            break;
          }
          diff = this.current[c + common] - w[0][lvar];
          if (diff !== 0) break;
          common++;
        }
        if (diff < 0) {
          j = k;
          common_j = common;
        } else {
          i = k;
          common_i = common;
        }
        if (j - i <= 1) {
          if (i > 0) break;
          if (j === i) break;
          if (first_key_inspected) break;
          first_key_inspected = true;
        }
      }
      for (;;) {
        const w = amongs[i];
        if (common_i >= w[0].length) {
          this.cursor = c + w[0].length;
          return w[2];
        }
        i = w[1];
        if (i < 0) return 0;
      }
    }
    find_among_b(amongs) {
      let i = 0;
      let j = amongs.length;
      const c = this.cursor;
      const lb = this.limit_backward;
      let common_i = 0;
      let common_j = 0;
      let first_key_inspected = false;
      for (;;) {
        const k = i + ((j - i) >> 1);
        let diff = 0;
        let common = common_i < common_j ? common_i : common_j;
        const w = amongs[k];
        for (let lvar = w[0].length - common - 1; lvar >= 0; lvar--) {
          if (c - common === lb) {
            diff = -1;
            break;
          }
          diff = this.current[c - common - 1] - w[0][lvar];
          if (diff !== 0) break;
          common++;
        }
        if (diff < 0) {
          j = k;
          common_j = common;
        } else {
          i = k;
          common_i = common;
        }
        if (j - i <= 1) {
          if (i > 0) break;
          if (j === i) break;
          if (first_key_inspected) break;
          first_key_inspected = true;
        }
      }
      for (;;) {
        const w = amongs[i];
        if (common_i >= w[0].length) {
          this.cursor = c - w[0].length;
          return w[2];
        }
        i = w[1];
        if (i < 0) return 0;
      }
    }
  }

  // Generated from english.sbl by Snowball 3.1.1, as in the Rust crate frostem; translated
  // statement by statement (labelled blocks and all) so that it stems exactly alike.
  /* eslint-disable */
  const A_0 = [[u8("arsen"), -1, -1], [u8("commun"), -1, -1], [u8("emerg"), -1, -1], [u8("gener"), -1, -1], [u8("inter"), -1, -1], [u8("later"), -1, -1], [u8("organ"), -1, -1], [u8("past"), -1, -1], [u8("univers"), -1, -1]];
  const A_1 = [[u8("'"), -1, 1], [u8("'s'"), 0, 1], [u8("'s"), -1, 1]];
  const A_2 = [[u8("ied"), -1, 2], [u8("s"), -1, 3], [u8("ies"), 1, 2], [u8("sses"), 1, 1], [u8("ss"), 1, -1], [u8("us"), 1, -1]];
  const A_3 = [[u8("succ"), -1, 1], [u8("proc"), -1, 1], [u8("exc"), -1, 1]];
  const A_4 = [[u8("even"), -1, 2], [u8("cann"), -1, 2], [u8("inn"), -1, 2], [u8("earr"), -1, 2], [u8("herr"), -1, 2], [u8("out"), -1, 2], [u8("y"), -1, 1]];
  const A_5 = [[u8(""), -1, -1], [u8("ed"), 0, 2], [u8("eed"), 1, 1], [u8("ing"), 0, 3], [u8("edly"), 0, 2], [u8("eedly"), 4, 1], [u8("ingly"), 0, 2]];
  const A_6 = [[u8(""), -1, 3], [u8("bb"), 0, 2], [u8("dd"), 0, 2], [u8("ff"), 0, 2], [u8("gg"), 0, 2], [u8("bl"), 0, 1], [u8("mm"), 0, 2], [u8("nn"), 0, 2], [u8("pp"), 0, 2], [u8("rr"), 0, 2], [u8("at"), 0, 1], [u8("tt"), 0, 2], [u8("iz"), 0, 1]];
  const A_7 = [[u8("anci"), -1, 3], [u8("enci"), -1, 2], [u8("ogi"), -1, 14], [u8("li"), -1, 16], [u8("bli"), 3, 12], [u8("abli"), 4, 4], [u8("alli"), 3, 8], [u8("fulli"), 3, 9], [u8("lessli"), 3, 15], [u8("ousli"), 3, 10], [u8("entli"), 3, 5], [u8("aliti"), -1, 8], [u8("biliti"), -1, 12], [u8("iviti"), -1, 11], [u8("tional"), -1, 1], [u8("ational"), 14, 7], [u8("alism"), -1, 8], [u8("ation"), -1, 7], [u8("ization"), 17, 6], [u8("izer"), -1, 6], [u8("ator"), -1, 7], [u8("iveness"), -1, 11], [u8("fulness"), -1, 9], [u8("ousness"), -1, 10], [u8("ogist"), -1, 13]];
  const A_8 = [[u8("icate"), -1, 4], [u8("ative"), -1, 6], [u8("alize"), -1, 3], [u8("iciti"), -1, 4], [u8("ical"), -1, 4], [u8("tional"), -1, 1], [u8("ational"), 5, 2], [u8("ful"), -1, 5], [u8("ness"), -1, 5]];
  const A_9 = [[u8("ic"), -1, 1], [u8("ance"), -1, 1], [u8("ence"), -1, 1], [u8("able"), -1, 1], [u8("ible"), -1, 1], [u8("ate"), -1, 1], [u8("ive"), -1, 1], [u8("ize"), -1, 1], [u8("iti"), -1, 1], [u8("al"), -1, 1], [u8("ism"), -1, 1], [u8("ion"), -1, 2], [u8("er"), -1, 1], [u8("ous"), -1, 1], [u8("ant"), -1, 1], [u8("ent"), -1, 1], [u8("ment"), 15, 1], [u8("ement"), 16, 1]];
  const A_10 = [[u8("e"), -1, 1], [u8("l"), -1, 2]];
  const A_11 = [[u8("andes"), -1, -1], [u8("atlas"), -1, -1], [u8("bias"), -1, -1], [u8("cosmos"), -1, -1], [u8("early"), -1, 6], [u8("gently"), -1, 4], [u8("howe"), -1, -1], [u8("idly"), -1, 3], [u8("news"), -1, -1], [u8("only"), -1, 7], [u8("singly"), -1, 8], [u8("skies"), -1, 2], [u8("skis"), -1, 1], [u8("sky"), -1, -1], [u8("ugly"), -1, 5]];
  const G_aeo = [17, 64];
  const G_v = [17, 65, 16, 1];
  const G_v_WXY = [1, 17, 65, 208, 1];
  const G_valid_LI = [55, 141, 2];
  function r_shortv(env) {
      lab0: while (true) {
          let v_1 = env.limit - env.cursor;
          lab1: while (true) {
              if (!env.out_grouping_b(G_v_WXY, 89, 121)) {
                  break lab1;
              }
              if (!env.in_grouping_b(G_v, 97, 121)) {
                  break lab1;
              }
              if (!env.out_grouping_b(G_v, 97, 121)) {
                  break lab1;
              }
              break lab0;
          }
          env.cursor = env.limit - v_1;
          lab2: while (true) {
              if (!env.out_grouping_b(G_v, 97, 121)) {
                  break lab2;
              }
              if (!env.in_grouping_b(G_v, 97, 121)) {
                  break lab2;
              }
              if (env.cursor > env.limit_backward) {
                  break lab2;
              }
              break lab0;
          }
          env.cursor = env.limit - v_1;
          if (!env.eq_s_b("past")) {
              return false;
          }
          break lab0;
      }
      return true;
  }

  function stemEnv(env) {
    
      let among_var;
      let b_Y_found;
      let i_p2;
      let i_p1;
      lab0: while (true) {
          let v_1 = env.cursor;
          lab1: while (true) {
              env.bra = env.cursor;
              if ((env.cursor + 2 >= env.limit || env.current[env.cursor + 2] >> 5 != 3 || ((42750482 >> (env.current[env.cursor + 2] & 0x1f)) & 1) == 0)) {
                  break lab1;
              }

              among_var = env.find_among(A_11);
              if (among_var == 0) {
                  break lab1;
              }
              env.ket = env.cursor;
              if (env.cursor < env.limit) {
                  break lab1;
              }
              switch (among_var) {
                  case 1: {
                      env.slice_from("ski");
                      break;
                  }
                  case 2: {
                      env.slice_from("sky");
                      break;
                  }
                  case 3: {
                      env.slice_from("idl");
                      break;
                  }
                  case 4: {
                      env.slice_from("gentl");
                      break;
                  }
                  case 5: {
                      env.slice_from("ugli");
                      break;
                  }
                  case 6: {
                      env.slice_from("earli");
                      break;
                  }
                  case 7: {
                      env.slice_from("onli");
                      break;
                  }
                  case 8: {
                      env.slice_from("singl");
                      break;
                  }
                  default: break;
              }
              break lab0;
          }
          env.cursor = v_1;
          lab2: while (true) {
              lab3: while (true) {
                  if (!env.hop(3)) {
                      break lab3;
                  }
                  break lab2;
              }
              break lab0;
          }
          env.cursor = v_1;
          lab4: while (true) {
              b_Y_found = false;
              let v_2 = env.cursor;
              lab5: while (true) {
                  env.bra = env.cursor;
                  if (!env.eq_s("'")) {
                      break lab5;
                  }
                  env.ket = env.cursor;
                  env.slice_del();
                  break lab5;
              }
              env.cursor = v_2;
              let v_3 = env.cursor;
              lab6: while (true) {
                  env.bra = env.cursor;
                  if (!env.eq_s("y")) {
                      break lab6;
                  }
                  env.ket = env.cursor;
                  env.slice_from("Y");
                  b_Y_found = true;
                  break lab6;
              }
              env.cursor = v_3;
              let v_4 = env.cursor;
              lab7: while (true) {
                  replab8: while (true) {
                      let v_5 = env.cursor;
                      lab9: for (let once = 0; once < 1; once++) {
                          golab10: while (true) {
                              let v_6 = env.cursor;
                              lab11: while (true) {
                                  if (!env.in_grouping(G_v, 97, 121)) {
                                      break lab11;
                                  }
                                  env.bra = env.cursor;
                                  if (!env.eq_s("y")) {
                                      break lab11;
                                  }
                                  env.ket = env.cursor;
                                  env.cursor = v_6;
                                  break golab10;
                              }
                              env.cursor = v_6;
                              if (env.cursor >= env.limit) {
                                  break lab9;
                              }
                              env.next_char();
                          }
                          env.slice_from("Y");
                          b_Y_found = true;
                          continue replab8;
                      }
                      env.cursor = v_5;
                      break replab8;
                  }
                  break lab7;
              }
              env.cursor = v_4;
              break lab4;
          }
          lab12: while (true) {
              i_p1 = env.limit;
              i_p2 = env.limit;
              let v_7 = env.cursor;
              lab13: while (true) {
                  lab14: while (true) {
                      let v_8 = env.cursor;
                      lab15: while (true) {
                          if ((env.cursor + 3 >= env.limit || env.current[env.cursor + 3] >> 5 != 3 || ((5513250 >> (env.current[env.cursor + 3] & 0x1f)) & 1) == 0)) {
                              break lab15;
                          }

                          if (env.find_among(A_0) == 0) {
                              break lab15;
                          }
                          break lab14;
                      }
                      env.cursor = v_8;
                      if (!env.go_out_grouping(G_v, 97, 121)) {
                          break lab13;
                      }
                      env.next_char();
                      if (!env.go_in_grouping(G_v, 97, 121)) {
                          break lab13;
                      }
                      env.next_char();
                      break lab14;
                  }
                  i_p1 = env.cursor;
                  if (!env.go_out_grouping(G_v, 97, 121)) {
                      break lab13;
                  }
                  env.next_char();
                  if (!env.go_in_grouping(G_v, 97, 121)) {
                      break lab13;
                  }
                  env.next_char();
                  i_p2 = env.cursor;
                  break lab13;
              }
              env.cursor = v_7;
              break lab12;
          }
          env.limit_backward = env.cursor;
          env.cursor = env.limit;
          let v_9 = env.limit - env.cursor;
          lab16: while (true) {
              let v_10 = env.limit - env.cursor;
              lab17: while (true) {
                  env.ket = env.cursor;
                  if ((env.cursor <= env.limit_backward || (env.current[env.cursor - 1] != 39 && env.current[env.cursor - 1] != 115))) {
                      env.cursor = env.limit - v_10;
                      break lab17;
                  }

                  if (env.find_among_b(A_1) == 0) {
                      env.cursor = env.limit - v_10;
                      break lab17;
                  }
                  env.bra = env.cursor;
                  env.slice_del();
                  break lab17;
              }
              env.ket = env.cursor;
              if ((env.cursor <= env.limit_backward || (env.current[env.cursor - 1] != 100 && env.current[env.cursor - 1] != 115))) {
                  break lab16;
              }

              among_var = env.find_among_b(A_2);
              if (among_var == 0) {
                  break lab16;
              }
              env.bra = env.cursor;
              switch (among_var) {
                  case 1: {
                      env.slice_from("ss");
                      break;
                  }
                  case 2: {
                      lab18: while (true) {
                          let v_11 = env.limit - env.cursor;
                          lab19: while (true) {
                              if (!env.hop_back(2)) {
                                  break lab19;
                              }
                              env.slice_from("i");
                              break lab18;
                          }
                          env.cursor = env.limit - v_11;
                          env.slice_from("ie");
                          break lab18;
                      }
                      break;
                  }
                  case 3: {
                      if (env.cursor <= env.limit_backward) {
                          break lab16;
                      }
                      env.previous_char();
                      if (!env.go_out_grouping_b(G_v, 97, 121)) {
                          break lab16;
                      }
                      env.previous_char();
                      env.slice_del();
                      break;
                  }
                  default: break;
              }
              break lab16;
          }
          env.cursor = env.limit - v_9;
          let v_12 = env.limit - env.cursor;
          lab20: while (true) {
              env.ket = env.cursor;
              if (env.cursor - 1 <= env.limit_backward || env.current[env.cursor - 1] >> 5 != 3 || ((33554576 >> (env.current[env.cursor - 1] & 0x1f)) & 1) == 0) {among_var = -1;}
              else {
                  among_var = env.find_among_b(A_5);
              }
              env.bra = env.cursor;
              lab21: while (true) {
                  let v_13 = env.limit - env.cursor;
                  lab22: while (true) {
                      switch (among_var) {
                          case 1: {
                              let v_14 = env.limit - env.cursor;
                              lab23: while (true) {
                                  if (i_p1 > env.cursor) {
                                      break lab23;
                                  }
                                  lab24: while (true) {
                                      let v_15 = env.limit - env.cursor;
                                      lab25: while (true) {
                                          if ((env.cursor - 2 <= env.limit_backward || env.current[env.cursor - 1] != 99)) {
                                              break lab25;
                                          }

                                          if (env.find_among_b(A_3) == 0) {
                                              break lab25;
                                          }
                                          if (env.cursor > env.limit_backward) {
                                              break lab25;
                                          }
                                          break lab24;
                                      }
                                      env.cursor = env.limit - v_15;
                                      env.slice_from("ee");
                                      break lab24;
                                  }
                                  break lab23;
                              }
                              env.cursor = env.limit - v_14;
                              break;
                          }
                          case 2: {
                              break lab22;
                              break;
                          }
                          case 3: {
                              if ((env.cursor <= env.limit_backward || env.current[env.cursor - 1] >> 5 != 3 || ((34881536 >> (env.current[env.cursor - 1] & 0x1f)) & 1) == 0)) {
                                  break lab22;
                              }

                              among_var = env.find_among_b(A_4);
                              if (among_var == 0) {
                                  break lab22;
                              }
                              switch (among_var) {
                                  case 1: {
                                      let v_16 = env.limit - env.cursor;
                                      if (!env.out_grouping_b(G_v, 97, 121)) {
                                          break lab22;
                                      }
                                      if (env.cursor > env.limit_backward) {
                                          break lab22;
                                      }
                                      env.cursor = env.limit - v_16;
                                      env.bra = env.cursor;
                                      env.slice_from("ie");
                                      break;
                                  }
                                  case 2: {
                                      if (env.cursor > env.limit_backward) {
                                          break lab22;
                                      }
                                      break;
                                  }
                                  default: break;
                              }
                              break;
                          }
                          default: break;
                      }
                      break lab21;
                  }
                  env.cursor = env.limit - v_13;
                  let v_17 = env.limit - env.cursor;
                  if (!env.go_out_grouping_b(G_v, 97, 121)) {
                      break lab20;
                  }
                  env.previous_char();
                  env.cursor = env.limit - v_17;
                  env.slice_del();
                  env.ket = env.cursor;
                  env.bra = env.cursor;
                  let v_18 = env.limit - env.cursor;
                  if (env.cursor - 1 <= env.limit_backward || env.current[env.cursor - 1] >> 5 != 3 || ((68514004 >> (env.current[env.cursor - 1] & 0x1f)) & 1) == 0) {among_var = 3;}
                  else {
                      among_var = env.find_among_b(A_6);
                  }
                  switch (among_var) {
                      case 1: {
                          env.slice_from("e");
                          break lab20;
                          break;
                      }
                      case 2: {
                          let v_19 = env.limit - env.cursor;
                          lab26: while (true) {
                              if (!env.in_grouping_b(G_aeo, 97, 111)) {
                                  break lab26;
                              }
                              if (env.cursor > env.limit_backward) {
                                  break lab26;
                              }
                              break lab20;
                          }
                          env.cursor = env.limit - v_19;
                          break;
                      }
                      case 3: {
                          if (env.cursor != i_p1) {
                              break lab20;
                          }
                          let v_20 = env.limit - env.cursor;
                          if (!r_shortv(env)) {
                              break lab20;
                          }
                          env.cursor = env.limit - v_20;
                          env.slice_from("e");
                          break lab20;
                          break;
                      }
                      default: break;
                  }
                  env.cursor = env.limit - v_18;
                  env.ket = env.cursor;
                  if (env.cursor <= env.limit_backward) {
                      break lab20;
                  }
                  env.previous_char();
                  env.bra = env.cursor;
                  env.slice_del();
                  break lab21;
              }
              break lab20;
          }
          env.cursor = env.limit - v_12;
          let v_21 = env.limit - env.cursor;
          lab27: while (true) {
              env.ket = env.cursor;
              lab28: while (true) {
                  lab29: while (true) {
                      if (!env.eq_s_b("y")) {
                          break lab29;
                      }
                      break lab28;
                  }
                  if (!env.eq_s_b("Y")) {
                      break lab27;
                  }
                  break lab28;
              }
              env.bra = env.cursor;
              if (!env.out_grouping_b(G_v, 97, 121)) {
                  break lab27;
              }
              if (env.cursor <= env.limit_backward) {
                  break lab27;
              }
              env.slice_from("i");
              break lab27;
          }
          env.cursor = env.limit - v_21;
          let v_22 = env.limit - env.cursor;
          lab30: while (true) {
              env.ket = env.cursor;
              if ((env.cursor - 1 <= env.limit_backward || env.current[env.cursor - 1] >> 5 != 3 || ((1864192 >> (env.current[env.cursor - 1] & 0x1f)) & 1) == 0)) {
                  break lab30;
              }

              among_var = env.find_among_b(A_7);
              if (among_var == 0) {
                  break lab30;
              }
              env.bra = env.cursor;
              if (i_p1 > env.cursor) {
                  break lab30;
              }
              switch (among_var) {
                  case 1: {
                      env.slice_from("tion");
                      break;
                  }
                  case 2: {
                      env.slice_from("ence");
                      break;
                  }
                  case 3: {
                      env.slice_from("ance");
                      break;
                  }
                  case 4: {
                      env.slice_from("able");
                      break;
                  }
                  case 5: {
                      env.slice_from("ent");
                      break;
                  }
                  case 6: {
                      env.slice_from("ize");
                      break;
                  }
                  case 7: {
                      env.slice_from("ate");
                      break;
                  }
                  case 8: {
                      env.slice_from("al");
                      break;
                  }
                  case 9: {
                      env.slice_from("ful");
                      break;
                  }
                  case 10: {
                      env.slice_from("ous");
                      break;
                  }
                  case 11: {
                      env.slice_from("ive");
                      break;
                  }
                  case 12: {
                      env.slice_from("ble");
                      break;
                  }
                  case 13: {
                      env.slice_from("og");
                      break;
                  }
                  case 14: {
                      if (!env.eq_s_b("l")) {
                          break lab30;
                      }
                      env.slice_from("og");
                      break;
                  }
                  case 15: {
                      env.slice_from("less");
                      break;
                  }
                  case 16: {
                      if (!env.in_grouping_b(G_valid_LI, 99, 116)) {
                          break lab30;
                      }
                      env.slice_del();
                      break;
                  }
                  default: break;
              }
              break lab30;
          }
          env.cursor = env.limit - v_22;
          let v_23 = env.limit - env.cursor;
          lab31: while (true) {
              env.ket = env.cursor;
              if ((env.cursor - 2 <= env.limit_backward || env.current[env.cursor - 1] >> 5 != 3 || ((528928 >> (env.current[env.cursor - 1] & 0x1f)) & 1) == 0)) {
                  break lab31;
              }

              among_var = env.find_among_b(A_8);
              if (among_var == 0) {
                  break lab31;
              }
              env.bra = env.cursor;
              if (i_p1 > env.cursor) {
                  break lab31;
              }
              switch (among_var) {
                  case 1: {
                      env.slice_from("tion");
                      break;
                  }
                  case 2: {
                      env.slice_from("ate");
                      break;
                  }
                  case 3: {
                      env.slice_from("al");
                      break;
                  }
                  case 4: {
                      env.slice_from("ic");
                      break;
                  }
                  case 5: {
                      env.slice_del();
                      break;
                  }
                  case 6: {
                      if (i_p2 > env.cursor) {
                          break lab31;
                      }
                      env.slice_del();
                      break;
                  }
                  default: break;
              }
              break lab31;
          }
          env.cursor = env.limit - v_23;
          let v_24 = env.limit - env.cursor;
          lab32: while (true) {
              env.ket = env.cursor;
              if ((env.cursor - 1 <= env.limit_backward || env.current[env.cursor - 1] >> 5 != 3 || ((1864232 >> (env.current[env.cursor - 1] & 0x1f)) & 1) == 0)) {
                  break lab32;
              }

              among_var = env.find_among_b(A_9);
              if (among_var == 0) {
                  break lab32;
              }
              env.bra = env.cursor;
              if (i_p2 > env.cursor) {
                  break lab32;
              }
              switch (among_var) {
                  case 1: {
                      env.slice_del();
                      break;
                  }
                  case 2: {
                      lab33: while (true) {
                          lab34: while (true) {
                              if (!env.eq_s_b("s")) {
                                  break lab34;
                              }
                              break lab33;
                          }
                          if (!env.eq_s_b("t")) {
                              break lab32;
                          }
                          break lab33;
                      }
                      env.slice_del();
                      break;
                  }
                  default: break;
              }
              break lab32;
          }
          env.cursor = env.limit - v_24;
          let v_25 = env.limit - env.cursor;
          lab35: while (true) {
              env.ket = env.cursor;
              if ((env.cursor <= env.limit_backward || (env.current[env.cursor - 1] != 101 && env.current[env.cursor - 1] != 108))) {
                  break lab35;
              }

              among_var = env.find_among_b(A_10);
              if (among_var == 0) {
                  break lab35;
              }
              env.bra = env.cursor;
              switch (among_var) {
                  case 1: {
                      lab36: while (true) {
                          lab37: while (true) {
                              if (i_p2 > env.cursor) {
                                  break lab37;
                              }
                              break lab36;
                          }
                          if (i_p1 > env.cursor) {
                              break lab35;
                          }
                          let v_26 = env.limit - env.cursor;
                          lab38: while (true) {
                              if (!r_shortv(env)) {
                                  break lab38;
                              }
                              break lab35;
                          }
                          env.cursor = env.limit - v_26;
                          break lab36;
                      }
                      env.slice_del();
                      break;
                  }
                  case 2: {
                      if (i_p2 > env.cursor) {
                          break lab35;
                      }
                      if (!env.eq_s_b("l")) {
                          break lab35;
                      }
                      env.slice_del();
                      break;
                  }
                  default: break;
              }
              break lab35;
          }
          env.cursor = env.limit - v_25;
          env.cursor = env.limit_backward;
          let v_27 = env.cursor;
          lab39: while (true) {
              if (!b_Y_found) {
                  break lab39;
              }
              replab40: while (true) {
                  let v_28 = env.cursor;
                  lab41: for (let once = 0; once < 1; once++) {
                      golab42: while (true) {
                          let v_29 = env.cursor;
                          lab43: while (true) {
                              env.bra = env.cursor;
                              if (!env.eq_s("Y")) {
                                  break lab43;
                              }
                              env.ket = env.cursor;
                              env.cursor = v_29;
                              break golab42;
                          }
                          env.cursor = v_29;
                          if (env.cursor >= env.limit) {
                              break lab41;
                          }
                          env.next_char();
                      }
                      env.slice_from("y");
                      continue replab40;
                  }
                  env.cursor = v_28;
                  break replab40;
              }
              break lab39;
          }
          env.cursor = v_27;
          break lab0;
      }
      return true;
  }

  /* eslint-enable */

  /** The Snowball English stem of a lowercased word. */
  function stem(word) {
    const env = new Env(word);
    stemEnv(env);
    return decoder.decode(new Uint8Array(env.current));
  }

  if (typeof module === "object" && module.exports) module.exports = stem;
  else IASearch("stem", stem);
})();
